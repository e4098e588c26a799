using System.Diagnostics;
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
    private readonly ChildProcess _process;

    private ServiceProcess(string name, ChildProcess process, Uri baseUri)
    {
        Name = name;
        _process = process;
        BaseUri = baseUri;
    }

    public string Name { get; }

    public Uri BaseUri { get; }

    public Uri WebSocketUri => new UriBuilder(BaseUri) { Scheme = "ws", Path = "/ws" }.Uri;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    /// <summary>Starts <paramref name="assemblyName"/>.dll from the test's output folder (the test project references the host).</summary>
    public static async Task<ServiceProcess> StartAsync(string name, string assemblyName, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} not found; the test project must reference {assemblyName}.");
        }

        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ChildProcess.Start(info, line =>
        {
            if (ListeningLine().Match(line) is { Success: true } m)
            {
                listening.TrySetResult(new Uri(m.Groups[1].Value));
            }

            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        });
        var exitedEarly = process.Exited.ContinueWith(
            _ => throw new InvalidOperationException($"{name} exited before it was ready."),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        try
        {
            await Task.WhenAny(started.Task, exitedEarly).Unwrap().WaitAsync(StartTimeout);
            var uri = await listening.Task.WaitAsync(StartTimeout);
            return new ServiceProcess(name, process, uri);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            await process.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"{name} did not start: {ex.Message}\n{process.Output}");
        }
    }

    /// <summary>Kills the process at once, as a crash would (no drain).</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
