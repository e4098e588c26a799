using MetaServer.AllInOne;
using MetaServer.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// The all-in-one host, started the way a newcomer starts it (embedded defaults), on 127.0.0.1 with a
/// port the OS picks and a data folder of its own. Disposing stops it; <see cref="DisposeAsync"/> also
/// deletes the data folder unless it was handed in by the test.
/// </summary>
public sealed class AllInOneHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDataDir;

    private AllInOneHost(WebApplication app, string dataDir, bool ownsDataDir, Uri baseUri)
    {
        _app = app;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        BaseUri = baseUri;
        WebSocketUri = new UriBuilder(baseUri) { Scheme = "ws", Path = "/ws" }.Uri;
    }

    public string DataDir { get; }

    public Uri BaseUri { get; }

    public Uri WebSocketUri { get; }

    public IServiceProvider Services => _app.Services;

    public static string NewDataDir() => Path.Combine(Path.GetTempPath(), "metaserver-e2e-" + Guid.NewGuid().ToString("N"));

    public static async Task<AllInOneHost> StartAsync(
        string? dataDir = null,
        Action<WebApplicationBuilder>? configure = null,
        params string[] extraArgs)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= NewDataDir();
        string[] args = ["--urls", "http://127.0.0.1:0", $"--MetaServer:DataDir={dataDir}", .. extraArgs];
        var app = AllInOneApp.Build(args, configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AllInOneHost(app, dataDir, ownsDataDir, new Uri(address));
    }

    public Task<MetaServerClient> ConnectAsync(MetaServerClientOptions? options = null) =>
        MetaServerClient.ConnectAsync(WebSocketUri, options, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataDir && Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
