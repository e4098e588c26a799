using MetaServer.Client;
using static MetaServer.Bench.BenchRun;

namespace MetaServer.Bench;

/// <summary>One SQS run's load figures and the SQS calls made during its measured window.</summary>
internal sealed record SqsRunResult(string Name, LoadResult Load, SqsCallCounts Calls, long HttpRequests, long HttpFailed)
{
    /// <summary>What the window's counts are divided by: round trips completed inside it.</summary>
    public double PerRoundTrip(double count) => Load.Completed == 0 ? double.NaN : count / Load.Completed;
}

/// <summary>
/// The SQS section: the all-in-one host on the SQS transport against the fauxqs stand-in (a child process), a
/// closed-loop run and a fixed-rate run, each reporting round trips/s, latency and SQS API calls per round trip
/// (counted by a decorator of <c>ISqsClient</c>) during its measured window.
/// </summary>
internal sealed class SqsSection(BenchSettings settings, TextWriter output, TextWriter progress)
{
    private static readonly TimeSpan StandInStartTimeout = TimeSpan.FromSeconds(30);

    public async Task RunAsync(string dataDir, CancellationToken cancellationToken)
    {
        progress.WriteLine("(d) SQS transport: starting the fauxqs stand-in ...");
        await using var standIn = await SqsStandIn.StartAsync(StandInStartTimeout, cancellationToken);
        var counter = new SqsCallCounter();
        using var http = new SqsHttpRequests();
        var results = new List<SqsRunResult>();
        var app = FullServer.BuildOnSqs(dataDir, standIn.ServiceUrl, counter, settings.SqsSettings);
        await using (app)
        {
            await app.StartAsync(cancellationToken);
            try
            {
                var uri = ServerAddress.WebSocketUri(ServerAddress.PortOf(app));
                var clients = await SessionPool.OpenAsync(uri, settings.SqsClients, settings.Parallelism, new MetaServerClientOptions(), cancellationToken);
                try
                {
                    progress.WriteLine($"(d) SQS transport, closed loop: {settings.SqsClients} clients, {settings.Warmup.TotalSeconds:0} s warm-up + {settings.SqsDuration.TotalSeconds:0} s ...");
                    var window = new Window(counter, http);
                    var closed = await LoadRunner.RunAsync(clients, settings.Warmup, settings.SqsDuration, cancellationToken, window);
                    results.Add(window.Result($"closed loop, {settings.SqsClients} clients", closed));

                    if (settings.SqsRate > 0)
                    {
                        progress.WriteLine($"(d) SQS transport, fixed rate: {settings.SqsRate} req/s over {settings.SqsClients} connections, {settings.Warmup.TotalSeconds:0} s warm-up + {settings.SqsDuration.TotalSeconds:0} s ...");
                        window = new Window(counter, http);
                        var fixedRate = await FixedRateRunner.RunAsync(clients, settings.SqsRate, settings.Warmup, settings.SqsDuration, cancellationToken, window);
                        results.Add(window.Result($"fixed rate {settings.SqsRate} req/s, {settings.SqsClients} connections", fixedRate));
                    }
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

        Write(results);
    }

    private void Write(IReadOnlyList<SqsRunResult> results)
    {
        output.WriteLine($"### SQS transport: all-in-one host on the fauxqs stand-in, {settings.SqsDuration.TotalSeconds:0} s measured after {settings.Warmup.TotalSeconds:0} s warm-up");
        output.WriteLine();
        output.WriteLine("Same request path as (b), with `MetaServer:Transport=Sqs` against fauxqs (Node.js, a child process on loopback): the bench, the host and the stand-in share this machine.");
        output.WriteLine("SQS calls are counted by a decorator of `ISqsClient` over the measured window and divided by the round trips completed in it.");
        output.WriteLine(settings.SqsSettings.Count == 0
            ? "Host settings: defaults."
            : "Host settings: " + string.Join(", ", settings.SqsSettings.Select(s => $"`{s}`")) + ".");
        output.WriteLine();
        output.WriteLine("| Run | Round trips/s | p50 latency | p99 latency | Errors | SQS calls / round trip | HTTP requests / round trip |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var skipped = r.Load.Skipped > 0 ? Inv($" ({r.Load.Skipped} due but not sent)") : string.Empty;
            var failed = r.HttpFailed > 0 ? Inv($" ({r.HttpFailed} failed)") : string.Empty;
            output.WriteLine(Inv($"| {r.Name} | {r.Load.PerSecond:N0} | {r.Load.P50Ms:0.00} ms | {r.Load.P99Ms:0.00} ms | {r.Load.Errors}{skipped} | **{r.PerRoundTrip(r.Calls.TotalCalls):0.00}** | {r.PerRoundTrip(r.HttpRequests):0.00}{failed} |"));
        }

        output.WriteLine();
        output.WriteLine("SQS calls per round trip, by action (naive count: 6 = send, receive and delete on each of the request and reply queues):");
        output.WriteLine();
        output.WriteLine("| Run | SendMessage | SendMessageBatch | ReceiveMessage | DeleteMessage | DeleteMessageBatch | ChangeMessageVisibility | Other | Total |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var cells = Enum.GetValues<SqsAction>().Select(a => Inv($"{r.PerRoundTrip(r.Calls.CallsOf(a)):0.000}"));
            output.WriteLine(Inv($"| {r.Name} | {string.Join(" | ", cells)} | {r.PerRoundTrip(r.Calls.TotalCalls):0.000} |"));
        }

        output.WriteLine();
        output.WriteLine("Batching, by queue (request queue: frontend sends, backend pipeline receives and deletes; reply queue: backend sends, frontend receives and deletes):");
        output.WriteLine();
        output.WriteLine("| Run | Queue | Calls / round trip | Messages per send call | Messages per receive | Empty receives | Messages per delete call |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            foreach (var side in Enum.GetValues<SqsQueueSide>())
            {
                var c = r.Calls;
                var sideCalls = Enum.GetValues<SqsAction>().Sum(a => c.CallsOf(a, side));
                var sends = c.CallsOf(SqsAction.SendMessage, side) + c.CallsOf(SqsAction.SendMessageBatch, side);
                var sent = c.EntriesOf(SqsAction.SendMessage, side) + c.EntriesOf(SqsAction.SendMessageBatch, side);
                var receives = c.CallsOf(SqsAction.ReceiveMessage, side);
                var received = c.EntriesOf(SqsAction.ReceiveMessage, side);
                var deletes = c.CallsOf(SqsAction.DeleteMessage, side) + c.CallsOf(SqsAction.DeleteMessageBatch, side);
                var deleted = c.EntriesOf(SqsAction.DeleteMessage, side) + c.EntriesOf(SqsAction.DeleteMessageBatch, side);
                var empty = receives == 0 ? "–" : Inv($"{100.0 * c.EmptyReceivesOf(side) / receives:0.0} %");
                output.WriteLine(Inv($"| {r.Name} | {(side == SqsQueueSide.Request ? "request queue" : "reply queue")} | {r.PerRoundTrip(sideCalls):0.00} | {Ratio(sent, sends)} | {Ratio(received, receives)} | {empty} | {Ratio(deleted, deletes)} |"));
            }
        }

        output.WriteLine();
    }

    private static string Ratio(long items, long calls) => calls == 0 ? "–" : Inv($"{(double)items / calls:0.00}");

    /// <summary>Snapshots of the counters when a run's measured window opens and closes.</summary>
    private sealed class Window(SqsCallCounter counter, SqsHttpRequests http) : IMeasureWindow
    {
        private SqsCallCounts? _opened;
        private SqsCallCounts? _closed;
        private long _httpOpened;
        private long _httpClosed;
        private long _failedOpened;
        private long _failedClosed;

        public void Opened()
        {
            _opened = counter.Snapshot();
            _httpOpened = http.Requests;
            _failedOpened = http.Failed;
        }

        public void Closed()
        {
            _closed = counter.Snapshot();
            _httpClosed = http.Requests;
            _failedClosed = http.Failed;
        }

        public SqsRunResult Result(string name, LoadResult load)
        {
            if (_opened is null || _closed is null)
            {
                throw new InvalidOperationException("The measured window did not open and close.");
            }

            return new SqsRunResult(name, load, _closed.Minus(_opened), _httpClosed - _httpOpened, _failedClosed - _failedOpened);
        }
    }
}
