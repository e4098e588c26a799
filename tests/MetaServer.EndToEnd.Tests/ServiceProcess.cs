using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MetaServer.Testing;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// One MetaServer service host run as its own OS process (<c>dotnet Host.dll --urls http://127.0.0.1:0</c>),
/// configured through environment variables as in production. Ready when the host logs that it started;
/// its bound address comes from Kestrel's "Now listening on" line. Disposing kills it.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ServiceProcess(string name, Process process, Uri baseUri, StringBuilder output)
    {
        Name = name;
        _process = process;
        BaseUri = baseUri;
        _output = output;
    }

    public string Name { get; }

    public Uri BaseUri { get; }

    public Uri WebSocketUri => new UriBuilder(BaseUri) { Scheme = "ws", Path = "/ws" }.Uri;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="assemblyName"/>.dll from the test's output folder (the test project references the host).</summary>
    public static async Task<ServiceProcess> StartAsync(string name, string assemblyName, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} not found; the test project must reference {assemblyName}.");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } m)
            {
                listening.TrySetResult(new Uri(m.Groups[1].Value));
            }

            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            var error = new InvalidOperationException($"{name} exited before it was ready.");
            listening.TrySetException(error);
            started.TrySetException(error);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await started.Task.WaitAsync(StartTimeout);
            var uri = await listening.Task.WaitAsync(StartTimeout);
            return new ServiceProcess(name, process, uri, output);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Kill(process);
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            throw new Xunit.Sdk.XunitException($"{name} did not start: {ex.Message}\n{text}");
        }
    }

    /// <summary>Kills the process at once, as a crash would (no drain).</summary>
    public async Task KillAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync().WithTimeout($"{Name} to exit after kill");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static void Kill(Process process)
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
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
