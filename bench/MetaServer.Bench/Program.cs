using System.CommandLine;
using MetaServer.Bench;
using Microsoft.AspNetCore.Builder;

var clients = new Option<int>("--clients") { Description = "Concurrent clients for the round-trip runs.", DefaultValueFactory = _ => 64 };
var duration = new Option<int>("--duration") { Description = "Measured seconds per round-trip run (0 skips them).", DefaultValueFactory = _ => 10 };
var warmup = new Option<int>("--warmup") { Description = "Unmeasured warm-up seconds before each round-trip run.", DefaultValueFactory = _ => 2 };
var sessions = new Option<int>("--sessions") { Description = "Idle sessions for the memory runs (0 skips them).", DefaultValueFactory = _ => 10_000 };
var parallelism = new Option<int>("--parallelism") { Description = "How many sessions are opened at the same time.", DefaultValueFactory = _ => 64 };
var sqsDuration = new Option<int>("--sqs-duration") { Description = "Measured seconds of each SQS-transport run on the fauxqs stand-in (0 skips the SQS section).", DefaultValueFactory = _ => 0 };
var sqsClients = new Option<int>("--sqs-clients") { Description = "Concurrent clients of the SQS runs (closed loop; also the connections of the fixed-rate run).", DefaultValueFactory = _ => 64 };
var sqsRate = new Option<int>("--sqs-rate") { Description = "Offered requests/s of the SQS fixed-rate (open-loop) run (0 skips it).", DefaultValueFactory = _ => 500 };
var sqsSet = new Option<string[]>("--sqs-set") { Description = "Extra configuration of the SQS host, Key=Value (repeatable), e.g. MetaServer:Pipelines:Default:Producers=2.", AllowMultipleArgumentsPerToken = false };
var ratingMatches = new Option<int>("--rating-matches") { Description = "5v5 matches rated per rating run (rating updates/s, one thread; 0, the default, skips the rating section).", DefaultValueFactory = _ => 0 };
var matchmaker = new Option<int>("--matchmaker") { Description = "Measured seconds per pool size of the matchmaker runs (5v5 match builder; 0, the default, skips the matchmaker section).", DefaultValueFactory = _ => 0 };
var matchmakerPools = new Option<int[]>("--matchmaker-pools") { Description = "Waiting-pool sizes of the matchmaker runs.", DefaultValueFactory = _ => [1_000, 10_000, 100_000], AllowMultipleArgumentsPerToken = true };
var serverGc = new Option<bool>("--server-gc") { Description = "Run the memory children with server GC, as the web host does by default.", DefaultValueFactory = _ => true };

var root = new RootCommand("MetaServer bench: bare Kestrel WebSockets versus the full embedded request path, memory per session, and the request path on the SQS transport against a local stand-in (loopback only).")
{
    clients, duration, warmup, sessions, parallelism, serverGc, sqsDuration, sqsClients, sqsRate, sqsSet, ratingMatches, matchmaker, matchmakerPools,
};
root.SetAction(async (parse, ct) =>
{
    if (parse.GetValue(clients) < 1 || parse.GetValue(duration) < 0 || parse.GetValue(warmup) < 0
        || parse.GetValue(sessions) < 0 || parse.GetValue(parallelism) < 1
        || parse.GetValue(sqsClients) < 1 || parse.GetValue(sqsDuration) < 0 || parse.GetValue(sqsRate) < 0
        || parse.GetValue(ratingMatches) < 0 || parse.GetValue(matchmaker) < 0
        || (parse.GetValue(matchmakerPools) ?? []).Any(p => p < 10))
    {
        await Console.Error.WriteLineAsync("error: --clients, --parallelism and --sqs-clients must be at least 1; --duration, --warmup, --sessions, --sqs-duration, --sqs-rate, --rating-matches and --matchmaker at least 0; --matchmaker-pools at least 10 each.");
        return 1;
    }

    var extraSqsSettings = parse.GetValue(sqsSet) ?? [];
    if (extraSqsSettings.FirstOrDefault(setting => setting.IndexOf('=', StringComparison.Ordinal) < 1) is { } badSetting)
    {
        await Console.Error.WriteLineAsync($"error: --sqs-set takes Key=Value; got '{badSetting}'.");
        return 1;
    }

    var settings = new BenchSettings(
        parse.GetValue(clients),
        TimeSpan.FromSeconds(parse.GetValue(duration)),
        TimeSpan.FromSeconds(parse.GetValue(warmup)),
        parse.GetValue(sessions),
        parse.GetValue(parallelism),
        parse.GetValue(serverGc))
    {
        SqsClients = parse.GetValue(sqsClients),
        SqsDuration = TimeSpan.FromSeconds(parse.GetValue(sqsDuration)),
        SqsRate = parse.GetValue(sqsRate),
        SqsSettings = extraSqsSettings,
        RatingMatches = parse.GetValue(ratingMatches),
        MatchmakerSeconds = parse.GetValue(matchmaker),
        MatchmakerPools = parse.GetValue(matchmakerPools) is { Length: > 0 } pools ? pools : [1_000, 10_000, 100_000],
    };
    return await new BenchRun(settings, Console.Out, Console.Error).RunAsync(ct);
});

var serveEcho = new Command("serve-echo", "Child mode: bare Kestrel WebSocket server on 127.0.0.1:0.") { Hidden = true };
serveEcho.SetAction((_, ct) => Serve.RunAsync(EchoServer.Build(), ct));

var dataDir = new Option<string>("--data-dir") { Required = true };
var serveFull = new Command("serve-full", "Child mode: the all-in-one host on 127.0.0.1:0.") { dataDir };
serveFull.Hidden = true;
serveFull.SetAction((parse, ct) => Serve.RunAsync(FullServer.Build(parse.GetValue(dataDir)!), ct));

root.Subcommands.Add(serveEcho);
root.Subcommands.Add(serveFull);
return await root.Parse(args).InvokeAsync();

/// <summary>Child-process mode: start, print the port, run until standard input closes.</summary>
internal static class Serve
{
    public static async Task<int> RunAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await using (app)
        {
            app.MapMemoryDiagnostics();
            await app.StartAsync(cancellationToken);
            Console.Out.WriteLine(ChildServer.PortLinePrefix + ServerAddress.PortOf(app).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Console.Out.Flush();
            while (await Console.In.ReadLineAsync(cancellationToken) is not null)
            {
                // The parent never writes; end of input means it is done (or gone).
            }

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(stop.Token);
        }

        return 0;
    }
}
