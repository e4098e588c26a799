using System.Collections.Concurrent;
using System.Diagnostics;
using MetaServer.Client;
using MetaServer.Protocol.V1;

namespace MetaServer.Bench;

/// <summary>
/// Open-loop load at a fixed offered rate: request <c>i</c> is due at <c>start + i / rate</c> and goes out on any
/// connection that has no request outstanding (a session takes one request at a time), without waiting for earlier
/// replies, so a slow server does not slow the offered load down. Latency runs from the due time, not the actual
/// send, so waiting for a free connection counts too.
/// </summary>
internal static class FixedRateRunner
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    public static async Task<LoadResult> RunAsync(IReadOnlyList<MetaServerClient> clients, double perSecond, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken, IMeasureWindow? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        var probe = await clients[0].SendAsync(new Envelope { GetAccount = new GetAccountRequest() }, cancellationToken);
        LoadRunner.EnsureOk(probe);
        var requestBytes = new Envelope { RequestId = probe.RequestId, GetAccount = new GetAccountRequest() }.CalculateSize();
        var replyBytes = probe.CalculateSize();

        var ticksPerRequest = Stopwatch.Frequency / perSecond;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var marks = LoadRunner.MarkWindowAsync(window, measureFrom, measureUntil, cancellationToken);

        var idle = new ConcurrentQueue<int>(Enumerable.Range(0, clients.Count));
        var backlog = new Queue<long>();
        var latencies = new ConcurrentQueue<long>();
        var requests = new List<Task>();
        long errors = 0;
        long issued = 0;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= measureUntil)
            {
                break;
            }

            var due = (long)((now - start) / ticksPerRequest) + 1;
            for (; issued < due; issued++)
            {
                backlog.Enqueue(start + (long)(issued * ticksPerRequest));
            }

            while (backlog.Count > 0 && idle.TryDequeue(out var slot))
            {
                requests.Add(SendOneAsync(clients[slot], slot, backlog.Dequeue()));
            }

            await Task.Delay(Tick, cancellationToken);
        }

        // Every request ends by its reply or the client's request timeout, so this wait is bounded.
        await Task.WhenAll(requests);
        await marks;

        var sorted = latencies.ToList();
        sorted.Sort();
        return new LoadResult(sorted.Count, duration.TotalSeconds, LoadRunner.Percentile(sorted, 0.50), LoadRunner.Percentile(sorted, 0.99), Interlocked.Read(ref errors), requestBytes, replyBytes)
        {
            OfferedPerSecond = perSecond,
            Completed = sorted.Count,
            Skipped = backlog.Count(dueAt => dueAt >= measureFrom),
        };

        async Task SendOneAsync(MetaServerClient client, int slot, long dueAt)
        {
            await Task.Yield();
            try
            {
                var reply = await client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() }, cancellationToken);
                LoadRunner.EnsureOk(reply);
                if (dueAt >= measureFrom)
                {
                    latencies.Enqueue(Stopwatch.GetTimestamp() - dueAt);
                }
            }
            catch (Exception ex) when (ex is MetaServerRequestException or TimeoutException or MetaServerConnectionClosedException)
            {
                Interlocked.Increment(ref errors);
            }
            finally
            {
                idle.Enqueue(slot);
            }
        }
    }
}
