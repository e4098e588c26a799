using System.Diagnostics;
using MetaServer.Client;
using MetaServer.Protocol.V1;

namespace MetaServer.Bench;

/// <summary>Outcome of a closed-loop load run: each client sends its next request when the previous reply arrives.</summary>
internal sealed record LoadResult(long RoundTrips, double Seconds, double P50Ms, double P99Ms, long Errors, int RequestBytes, int ReplyBytes)
{
    public double PerSecond => RoundTrips / Seconds;
}

internal static class LoadRunner
{
    /// <summary>
    /// Runs GetAccount round trips on every client for <paramref name="warmup"/> (not measured) and then
    /// <paramref name="duration"/> (measured). Bounded: every loop ends at the deadline.
    /// </summary>
    public static async Task<LoadResult> RunAsync(IReadOnlyList<MetaServerClient> clients, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        var probe = await clients[0].SendAsync(new Envelope { GetAccount = new GetAccountRequest() }, cancellationToken);
        EnsureOk(probe);
        var requestBytes = new Envelope { RequestId = probe.RequestId, GetAccount = new GetAccountRequest() }.CalculateSize();
        var replyBytes = probe.CalculateSize();

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureUntil = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perClient = await Task.WhenAll(clients.Select(client => Task.Run(() => ClientLoopAsync(client, measureFrom, measureUntil, cancellationToken), cancellationToken)));

        var latencies = new List<long>(perClient.Sum(r => r.Latencies.Count));
        foreach (var result in perClient)
        {
            latencies.AddRange(result.Latencies);
        }

        latencies.Sort();
        var errors = perClient.Sum(r => r.Errors);
        return new LoadResult(latencies.Count, duration.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), errors, requestBytes, replyBytes);
    }

    private static async Task<(List<long> Latencies, long Errors)> ClientLoopAsync(MetaServerClient client, long measureFrom, long measureUntil, CancellationToken cancellationToken)
    {
        var latencies = new List<long>(4096);
        long errors = 0;
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
            if (sent >= measureFrom && received <= measureUntil)
            {
                latencies.Add(received - sent);
            }
        }

        return (latencies, errors);
    }

    private static void EnsureOk(Envelope reply)
    {
        var code = reply.Result?.Code ?? ResultCode.Ok;
        if (code != ResultCode.Ok)
        {
            throw new MetaServerRequestException(code, reply.Result?.Message ?? string.Empty, reply.RequestId);
        }
    }

    private static double Percentile(List<long> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Min(sorted.Count - 1, Math.Ceiling(quantile * sorted.Count) - 1);
        return sorted[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }
}
