using System.Globalization;
using MetaServer.Client;
using Microsoft.AspNetCore.Builder;

namespace MetaServer.Bench;

internal sealed record BenchSettings(int Clients, TimeSpan Duration, TimeSpan Warmup, int Sessions, int Parallelism, bool ServerGc)
{
    /// <summary>Closed-loop clients of the SQS section.</summary>
    public int SqsClients { get; init; } = 64;

    /// <summary>Measured time of each SQS run; zero skips the SQS section.</summary>
    public TimeSpan SqsDuration { get; init; }

    /// <summary>Offered load of the SQS fixed-rate run (requests/s); zero skips that run.</summary>
    public int SqsRate { get; init; }

    /// <summary>Extra configuration of the SQS host, <c>Key=Value</c> each (e.g. <c>MetaServer:Pipelines:Default:Producers=2</c>).</summary>
    public IReadOnlyList<string> SqsSettings { get; init; } = [];

    /// <summary>5v5 matches rated per rating run; zero skips the rating section.</summary>
    public int RatingMatches { get; init; }

    /// <summary>Measured seconds of each matchmaker run; zero skips the matchmaker section.</summary>
    public int MatchmakerSeconds { get; init; }

    /// <summary>Waiting-pool sizes of the matchmaker runs.</summary>
    public IReadOnlyList<int> MatchmakerPools { get; init; } = [1_000, 10_000, 100_000];
}

internal sealed record MemoryResult(int Sessions, int StillConnected, MemorySample Baseline, MemorySample Loaded)
{
    public double GcHeapPerSession => (Loaded.GcHeapBytes - Baseline.GcHeapBytes) / (double)Sessions;

    public double GcCommittedPerSession => (Loaded.GcCommittedBytes - Baseline.GcCommittedBytes) / (double)Sessions;

    public double RssPerSession => (Loaded.RssBytes - Baseline.RssBytes) / (double)Sessions;
}

/// <summary>The default bench command: throughput/latency of both paths, then memory per idle session of both.</summary>
internal sealed class BenchRun(BenchSettings settings, TextWriter output, TextWriter progress)
{
    private const int WarmSessions = 100;
    private static readonly TimeSpan ChildStartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _tempDirs = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            output.WriteLine($"## MetaServer bench ({TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)");
            output.WriteLine();
            foreach (var fact in MachineFacts.Describe())
            {
                output.WriteLine(fact);
            }

            output.WriteLine();
            if (settings.RatingMatches > 0)
            {
                new RatingSection(settings.RatingMatches, output, progress).Run();
            }

            if (settings.MatchmakerSeconds > 0)
            {
                new MatchmakerSection(TimeSpan.FromSeconds(settings.MatchmakerSeconds), settings.MatchmakerPools, output, progress).Run();
            }

            if (settings.Duration > TimeSpan.Zero)
            {
                await RunThroughputAsync(cancellationToken);
            }

            if (settings.Sessions > 0)
            {
                await RunMemoryAsync(cancellationToken);
            }

            if (settings.SqsDuration > TimeSpan.Zero)
            {
                await new SqsSection(settings, output, progress).RunAsync(NewTempDir(), cancellationToken);
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress.WriteLine("Cancelled.");
            return 130;
        }
        catch (Exception ex) when (ex is MetaServerConnectException or MetaServerConnectionClosedException or MetaServerRequestException
            or MetaServerProtocolException or TimeoutException or InvalidOperationException or HttpRequestException)
        {
            progress.WriteLine($"error: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            ChildServer.KillAll();
            foreach (var dir in _tempDirs)
            {
                TryDelete(dir);
            }
        }
    }

    private async Task RunThroughputAsync(CancellationToken cancellationToken)
    {
        progress.WriteLine($"(a) bare Kestrel WebSocket: {settings.Clients} clients, {settings.Warmup.TotalSeconds:0} s warm-up + {settings.Duration.TotalSeconds:0} s ...");
        var bare = await RunInProcessAsync(EchoServer.Build(), cancellationToken);
        progress.WriteLine($"(b) full embedded path: {settings.Clients} clients, {settings.Warmup.TotalSeconds:0} s warm-up + {settings.Duration.TotalSeconds:0} s ...");
        var full = await RunInProcessAsync(FullServer.Build(NewTempDir()), cancellationToken);

        output.WriteLine($"### Round trips: {settings.Clients} concurrent clients, closed loop, {settings.Duration.TotalSeconds:0} s measured after {settings.Warmup.TotalSeconds:0} s warm-up");
        output.WriteLine();
        output.WriteLine("Server and clients share this machine (one process per path, loopback).");
        output.WriteLine();
        output.WriteLine("| Path | Round trips/s | p50 latency | p99 latency | Errors | Request / reply bytes |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        output.WriteLine(Row("(a) bare Kestrel WebSocket, canned reply", bare));
        output.WriteLine(Row("(b) full path: frontend → queue → accounts → reply queue", full));
        output.WriteLine(Inv($"| ratio (b)/(a) | {full.PerSecond / bare.PerSecond:0.00}× | {full.P50Ms / bare.P50Ms:0.00}× | {full.P99Ms / bare.P99Ms:0.00}× | | |"));
        output.WriteLine();
    }

    private async Task<LoadResult> RunInProcessAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await using (app)
        {
            await app.StartAsync(cancellationToken);
            try
            {
                var uri = ServerAddress.WebSocketUri(ServerAddress.PortOf(app));
                var clients = await SessionPool.OpenAsync(uri, settings.Clients, settings.Parallelism, new MetaServerClientOptions(), cancellationToken);
                try
                {
                    return await LoadRunner.RunAsync(clients, settings.Warmup, settings.Duration, cancellationToken);
                }
                finally
                {
                    await SessionPool.CloseAsync(clients, settings.Parallelism);
                }
            }
            finally
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await app.StopAsync(stop.Token);
            }
        }
    }

    private async Task RunMemoryAsync(CancellationToken cancellationToken)
    {
        progress.WriteLine($"(c) memory: {settings.Sessions} idle sessions on a bare Kestrel WebSocket child ...");
        var bare = await MeasureMemoryAsync("serve-echo", [], cancellationToken);
        progress.WriteLine($"(c) memory: {settings.Sessions} idle authenticated sessions on a full-path child ...");
        var full = await MeasureMemoryAsync("serve-full", ["--data-dir", NewTempDir()], cancellationToken);

        output.WriteLine($"### Memory per idle session: {settings.Sessions} sessions, server in a child process ({(settings.ServerGc ? "server" : "workstation")} GC)");
        output.WriteLine();
        output.WriteLine($"Delta between the server after {WarmSessions} warm-up sessions (closed) and with all sessions open, each after a forced compacting full GC.");
        output.WriteLine("Every session logged in with its own new device and did one GetAccount round trip (the bare server answers both with canned replies of the real sizes).");
        output.WriteLine();
        output.WriteLine("| Server | Open sessions | GC heap / session | GC committed / session | RSS / session | GC heap total | RSS total |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        output.WriteLine(MemoryRow("bare Kestrel WebSocket", bare));
        output.WriteLine(MemoryRow("full path, authenticated", full));
        output.WriteLine(Inv($"| ratio full/bare | | {full.GcHeapPerSession / bare.GcHeapPerSession:0.00}× | {full.GcCommittedPerSession / bare.GcCommittedPerSession:0.00}× | {full.RssPerSession / bare.RssPerSession:0.00}× | | |"));
        output.WriteLine();
    }

    private async Task<MemoryResult> MeasureMemoryAsync(string mode, string[] args, CancellationToken cancellationToken)
    {
        await using var child = await ChildServer.StartAsync(mode, args, settings.ServerGc, ChildStartTimeout, cancellationToken);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var uri = ServerAddress.WebSocketUri(child.Port);
        var options = new MetaServerClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) };

        var warm = await SessionPool.OpenAsync(uri, WarmSessions, settings.Parallelism, options, cancellationToken);
        await SessionPool.CloseAsync(warm, settings.Parallelism);
        var baseline = await child.SampleMemoryAsync(http, cancellationToken);

        var clients = await SessionPool.OpenAsync(uri, settings.Sessions, settings.Parallelism, options, cancellationToken);
        try
        {
            var loaded = await child.SampleMemoryAsync(http, cancellationToken);
            var connected = clients.Count(c => c.IsConnected);
            return new MemoryResult(settings.Sessions, connected, baseline, loaded);
        }
        finally
        {
            progress.WriteLine($"    closing {clients.Length} sessions ...");
            await SessionPool.CloseAsync(clients, settings.Parallelism);
        }
    }

    private static string Row(string name, LoadResult r) =>
        Inv($"| {name} | {r.PerSecond:N0} | {r.P50Ms:0.00} ms | {r.P99Ms:0.00} ms | {r.Errors} | {r.RequestBytes} / {r.ReplyBytes} |");

    private static string MemoryRow(string name, MemoryResult r) =>
        Inv($"| {name} | {r.StillConnected:N0} / {r.Sessions:N0} | {MachineFacts.FormatBytes(r.GcHeapPerSession)} | {MachineFacts.FormatBytes(r.GcCommittedPerSession)} | {MachineFacts.FormatBytes(r.RssPerSession)} | {MachineFacts.FormatBytes(r.Loaded.GcHeapBytes)} | {MachineFacts.FormatBytes(r.Loaded.RssBytes)} |");

    internal static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "metaserver-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        _tempDirs.Add(dir);
        return dir;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file may still be held open by a child that is being torn down.
        }
    }
}
