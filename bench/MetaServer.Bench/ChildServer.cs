using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;

namespace MetaServer.Bench;

/// <summary>
/// A server running in a child process: this bench executable in its hidden <c>serve-echo</c> / <c>serve-full</c>
/// mode. The child prints <c>PORT=&lt;n&gt;</c> once listening and exits when its standard input closes, so it also
/// goes away if the bench dies. Children are killed on dispose and, as a last resort, on process exit.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    public const string PortLinePrefix = "PORT=";

    private static readonly ConcurrentDictionary<int, Process> _live = new();
    private static int _exitHookInstalled;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _recentOutput = new();

    private ChildServer(Process process) => _process = process;

    public int Port { get; private set; }

    public int ProcessId => _process.Id;

    public static async Task<ChildServer> StartAsync(string mode, IReadOnlyList<string> extraArgs, bool serverGc, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        InstallExitHook();
        var start = new ProcessStartInfo
        {
            FileName = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable runs the bench."),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add(mode);
        foreach (var arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_gcServer"] = serverGc ? "1" : "0";

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the {mode} child process.");
        _live[process.Id] = process;
        var child = new ChildServer(process);
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                port.TrySetException(new InvalidOperationException($"The {mode} child exited before listening:{Environment.NewLine}{child.RecentOutput()}"));
                return;
            }

            if (e.Data.StartsWith(PortLinePrefix, StringComparison.Ordinal)
                && int.TryParse(e.Data.AsSpan(PortLinePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                port.TrySetResult(value);
            }
            else
            {
                child.Remember(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Remember(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            child.Port = await port.Task.WaitAsync(startTimeout, cancellationToken);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }

        return child;
    }

    /// <summary>Forces a full GC in the child and returns its memory figures.</summary>
    public async Task<MemorySample> SampleMemoryAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var sample = await http.GetFromJsonAsync(ServerAddress.HttpUri(Port, MemoryDiagnostics.Path), BenchJsonContext.Default.MemorySample, cancellationToken);
        return sample ?? throw new InvalidOperationException("The child returned no memory sample.");
    }

    public string RecentOutput() => string.Join(Environment.NewLine, _recentOutput);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Closing stdin asks the child to stop; kill it if it does not within a few seconds.
                _process.StandardInput.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The process is already gone.
        }
        finally
        {
            _live.TryRemove(_process.Id, out _);
            _process.Dispose();
        }
    }

    private void Remember(string line)
    {
        _recentOutput.Enqueue(line);
        while (_recentOutput.Count > 40 && _recentOutput.TryDequeue(out _))
        {
        }
    }

    /// <summary>Puts another child process (a stand-in) under the same kill-on-exit guard as the server children.</summary>
    public static void Track(Process process)
    {
        InstallExitHook();
        _live[process.Id] = process;
    }

    public static void Untrack(Process process) => _live.TryRemove(process.Id, out _);

    /// <summary>Kills every child still alive when the bench exits, whatever the reason.</summary>
    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
    }

    public static void KillAll()
    {
        foreach (var (id, process) in _live)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            _live.TryRemove(id, out _);
        }
    }
}
