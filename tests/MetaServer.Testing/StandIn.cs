using System.Diagnostics;

namespace MetaServer.Testing;

/// <summary>
/// A local stand-in server (fauxqs for SQS, dynalite for DynamoDB, redis-server) run as a child process
/// bound to 127.0.0.1 on a free port. Disposing stops it. A stand-in that is not installed or does not
/// come up is a test failure with a message saying how to install it, never a skip.
/// </summary>
public sealed class StandIn : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private const string InstallHint = "Run scripts/install-test-deps.sh (installs redis-server and the npm stand-ins in tools/standins).";

    private readonly ChildProcess _process;

    private StandIn(string name, ChildProcess process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>http://127.0.0.1:port/ (for the AWS stand-ins).</summary>
    public Uri HttpEndpoint => new($"http://127.0.0.1:{Port}/");

    /// <summary>127.0.0.1:port (for Redis).</summary>
    public string HostAndPort => $"127.0.0.1:{Port}";

    /// <summary>The repository root (the folder holding MetaServer.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string StandInsDir => Path.Combine(RepositoryRoot, "tools", "standins");

    /// <summary>fauxqs (SQS, JSON protocol) via tools/standins/fauxqs-server.mjs, which binds 127.0.0.1.</summary>
    public static Task<StandIn> StartSqsAsync() =>
        StartAsync("fauxqs", port => ("node", ["fauxqs-server.mjs", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--exit-with-stdin"]), "listening ", RequireNodeModule("fauxqs"));

    /// <summary>dynalite (DynamoDB) with instant table operations.</summary>
    public static Task<StandIn> StartDynamoDbAsync() =>
        StartAsync(
            "dynalite",
            port => ("node", ["node_modules/dynalite/cli.js", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]),
            "Dynalite listening",
            RequireNodeModule("dynalite"));

    /// <summary>redis-server, in memory only.</summary>
    public static Task<StandIn> StartRedisAsync() =>
        StartAsync(
            "redis-server",
            port => (FindOnPath("redis-server") ?? throw new InvalidOperationException("redis-server is not installed. " + InstallHint), ["--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no"]),
            "Ready to accept connections",
            () => { });

    private static async Task<StandIn> StartAsync(string name, Func<int, (string File, string[] Args)> command, string readyMarker, Action precheck)
    {
        precheck();
        // Ports are picked before the child binds them; on the rare clash, try another.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = name == "fauxqs" ? 0 : FreePort.Next();
            var (file, args) = command(port);
            var info = new ProcessStartInfo(file) { WorkingDirectory = StandInsDir };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnLine(string line)
            {
                var at = line.IndexOf(readyMarker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    // fauxqs prints the port it got ("listening 12345").
                    var reported = name == "fauxqs" && int.TryParse(line[(at + readyMarker.Length)..].Trim(), out var p) ? p : port;
                    ready.TrySetResult(reported);
                }
            }

            ChildProcess process;
            try
            {
                process = ChildProcess.Start(info, OnLine);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException($"Cannot start {name} ({file}): {ex.Message}. {InstallHint}", ex);
            }

            _ = process.Exited.ContinueWith(
                _ => ready.TrySetException(new InvalidOperationException($"{name} exited before it was ready.")),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

            try
            {
                var boundPort = await ready.Task.WaitAsync(StartTimeout);
                return new StandIn(name, process, boundPort);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                await process.DisposeAsync();
                last = new InvalidOperationException($"{name} did not come up on 127.0.0.1:{port}: {ex.Message}\n{process.Output}\n{InstallHint}", ex);
            }
        }

        throw last!;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>Everything the stand-in printed so far (for failure messages).</summary>
    public string Output => _process.Output;

    private static Action RequireNodeModule(string module) => () =>
    {
        if (FindOnPath("node") is null)
        {
            throw new InvalidOperationException("Node.js is not installed (needed for the SQS/DynamoDB stand-ins). " + InstallHint);
        }

        if (!Directory.Exists(Path.Combine(StandInsDir, "node_modules", module)))
        {
            throw new InvalidOperationException($"The npm stand-in '{module}' is not installed in {StandInsDir}. " + InstallHint);
        }
    };

    private static string? FindOnPath(string file)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MetaServer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"MetaServer.sln not found above {AppContext.BaseDirectory}.");
    }
}
