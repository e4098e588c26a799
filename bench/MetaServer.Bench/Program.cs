using System.CommandLine;
using MetaServer.Bench;
using Microsoft.AspNetCore.Builder;

var clients = new Option<int>("--clients") { Description = "Concurrent clients for the round-trip runs.", DefaultValueFactory = _ => 64 };
var duration = new Option<int>("--duration") { Description = "Measured seconds per round-trip run (0 skips them).", DefaultValueFactory = _ => 10 };
var warmup = new Option<int>("--warmup") { Description = "Unmeasured warm-up seconds before each round-trip run.", DefaultValueFactory = _ => 2 };
var sessions = new Option<int>("--sessions") { Description = "Idle sessions for the memory runs (0 skips them).", DefaultValueFactory = _ => 10_000 };
var parallelism = new Option<int>("--parallelism") { Description = "How many sessions are opened at the same time.", DefaultValueFactory = _ => 64 };
var serverGc = new Option<bool>("--server-gc") { Description = "Run the memory children with server GC, as the web host does by default.", DefaultValueFactory = _ => true };

var root = new RootCommand("MetaServer bench: bare Kestrel WebSockets versus the full embedded request path (loopback only).")
{
    clients, duration, warmup, sessions, parallelism, serverGc,
};
root.SetAction(async (parse, ct) =>
{
    if (parse.GetValue(clients) < 1 || parse.GetValue(duration) < 0 || parse.GetValue(warmup) < 0
        || parse.GetValue(sessions) < 0 || parse.GetValue(parallelism) < 1)
    {
        await Console.Error.WriteLineAsync("error: --clients and --parallelism must be at least 1; --duration, --warmup and --sessions at least 0.");
        return 1;
    }

    var settings = new BenchSettings(
        parse.GetValue(clients),
        TimeSpan.FromSeconds(parse.GetValue(duration)),
        TimeSpan.FromSeconds(parse.GetValue(warmup)),
        parse.GetValue(sessions),
        parse.GetValue(parallelism),
        parse.GetValue(serverGc));
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
