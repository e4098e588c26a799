using System.Diagnostics;
using MetaServer.Client;
using MetaServer.Protocol.V1;

namespace MetaServer.Bench;

/// <summary>Outcome of a closed-loop load run: each client sends its next request when the previous reply arrives.</summary>
internal sealed record LoadResult(long RoundTrips, double Seconds, double P50Ms, double P99Ms, long Errors, int RequestBytes, int ReplyBytes)
{
    /// <summary>Requests offered per second for a fixed-rate run; null for a closed-loop run.</summary>
    public double? OfferedPerSecond { get; init; }

    /// <summary>
    /// Replies received inside the measured window, whenever their request was sent (closed loop); for a fixed-rate
    /// run, the successful requests due inside the window. What server-side counts of the window are divided by.
    /// </summary>
    public long Completed { get; init; }

    /// <summary>Requests due in the measured window but never sent because no connection was free before it ended (fixed-rate runs).</summary>
    public long Skipped { get; init; }

    public double PerSecond => RoundTrips / Seconds;
}

internal static class LoadRunner
{
    /// <summary>
    /// Runs GetAccount round trips on every client for <paramref name="warmup"/> (not measured) and then
    /// <paramref name="duration"/> (measured). Bounded: every loop ends at the deadline. <paramref name="window"/>,
    /// if given, is called when the measured window opens and when it closes.
    /// </summary>
    public static async Task<LoadResult> RunAsync(IReadOnlyList<MetaServerClient> clients, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken, IMeasureWindow? window = null)
    {
        var probe = await clients[0].SendAsync(new Envelope { GetAccount = new GetAccountRequest() }, cancellationToken);
        EnsureOk(probe);
        var requestBytes = new Envelope { RequestId = probe.RequestId, GetAccount = new GetAccountRequest() }.CalculateSize();
        var replyBytes = probe.CalculateSize();

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var marks = MarkWindowAsync(window, measureFrom, measureUntil, cancellationToken);
        var perClient = await Task.WhenAll(clients.Select(client => Task.Run(() => ClientLoopAsync(client, measureFrom, measureUntil, cancellationToken), cancellationToken)));
        await marks;

        var latencies = new List<long>(perClient.Sum(r => r.Latencies.Count));
        foreach (var result in perClient)
        {
            latencies.AddRange(result.Latencies);
        }

        latencies.Sort();
        var errors = perClient.Sum(r => r.Errors);
        return new LoadResult(latencies.Count, duration.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), errors, requestBytes, replyBytes)
        {
            Completed = perClient.Sum(r => r.Completed),
        };
    }

    private static async Task<(List<long> Latencies, long Errors, long Completed)> ClientLoopAsync(MetaServerClient client, long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        var latencies = new List<long>(4096);
        long errors = 0;
        long completed = 0;
        while (true)
        {
            var sent = Stopwatch.GetTimestamp();
            if (sent >= measureUntil)
            {
                break;
            }

            try
            {
                var reply = await client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() }, cancellationToken);
                EnsureOk(reply);
            }
            catch (Exception ex) when (ex is MetaServerRequestException or TimeoutException)
            {
                errors++;
                continue;
            }
            catch (MetaServerConnectionClosedException)
            {
                errors++;
                break;
            }

            var received = Stopwatch.GetTimestamp();
            if (received >= measureFrom && received <= measureUntil)
            {
                completed++;
                if (sent >= measureFrom)
                {
                    latencies.Add(received - sent);
                }
            }
        }

        return (latencies, errors, completed);
    }

    /// <summary>Calls the window's open and close marks at the two timestamps (Stopwatch ticks).</summary>
    internal static async Task MarkWindowAsync(IMeasureWindow? window, long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        if (window is null)
        {
            return;
        }

        await DelayUntilAsync(measureFrom, cancellationToken);
        window.Opened();
        await DelayUntilAsync(measureUntil, cancellationToken);
        window.Closed();
    }

    internal static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellationToken);
        }
    }

    internal static void EnsureOk(Envelope reply)
    {
        var code = reply.Result?.Code ?? ResultCode.Ok;
        if (code != ResultCode.Ok)
        {
            throw new MetaServerRequestException(code, reply.Result?.Message ?? string.Empty, reply.RequestId);
        }
    }

    internal static double Percentile(List<long> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Min(sorted.Count - 1, Math.Ceiling(quantile * sorted.Count) - 1);
        return sorted[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }
}

/// <summary>Told when a run's measured window opens and closes (to take snapshots of server-side counters).</summary>
internal interface IMeasureWindow
{
    void Opened();

    void Closed();
}
