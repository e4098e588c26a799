using System.Diagnostics;
using System.Globalization;

namespace MetaServer.Bench;

/// <summary>
/// The fauxqs SQS stand-in (<c>tools/standins/fauxqs-server.mjs</c>, installed by <c>scripts/install-test-deps.sh</c>)
/// as a child process on 127.0.0.1 and a port it picks. It exits when its standard input closes, is killed on
/// dispose if it does not, and is killed with the other children if the bench exits.
/// </summary>
internal sealed class SqsStandIn : IAsyncDisposable
{
    private const string ReadyPrefix = "listening ";
    private const string InstallHint = "Install the stand-ins with scripts/install-test-deps.sh (needs Node.js >= 20), or skip this section with --sqs-duration 0.";

    private readonly Process _process;

    private SqsStandIn(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri ServiceUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/"));

    public static async Task<SqsStandIn> StartAsync(TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var dir = StandInsDirectory();
        var script = Path.Combine(dir, "fauxqs-server.mjs");
        if (!File.Exists(script) || !Directory.Exists(Path.Combine(dir, "node_modules", "fauxqs")))
        {
            throw new InvalidOperationException($"The fauxqs SQS stand-in is not installed in {dir}. {InstallHint}");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = dir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("fauxqs-server.mjs");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--exit-with-stdin");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Cannot start Node.js for the fauxqs SQS stand-in: {ex.Message}. {InstallHint}", ex);
        }

        ChildServer.Track(process);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"The fauxqs SQS stand-in exited before listening:{Environment.NewLine}{string.Join(Environment.NewLine, output)}{Environment.NewLine}{InstallHint}"));
                return;
            }

            if (e.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal)
                && int.TryParse(e.Data.AsSpan(ReadyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                ready.TrySetResult(port);
            }
            else
            {
                output.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && output.Count < 40)
            {
                output.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var port = await ready.Task.WaitAsync(startTimeout, cancellationToken);
            return new SqsStandIn(process, port);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            await StopAsync(process);
            if (ex is TimeoutException)
            {
                throw new InvalidOperationException($"The fauxqs SQS stand-in did not report a port within {startTimeout.TotalSeconds:0} s.{Environment.NewLine}{string.Join(Environment.NewLine, output)}", ex);
            }

            throw;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(_process));

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            ChildServer.Untrack(process);
            process.Dispose();
        }
    }

    /// <summary><c>tools/standins</c> of the checkout the bench runs from (found above the binary or the working directory).</summary>
    private static string StandInsDirectory()
    {
        foreach (var from in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MetaServer.sln")))
                {
                    return Path.Combine(dir.FullName, "tools", "standins");
                }
            }
        }

        throw new InvalidOperationException($"Cannot find the repository (MetaServer.sln) above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}, so not the SQS stand-in either. {InstallHint}");
    }
}
