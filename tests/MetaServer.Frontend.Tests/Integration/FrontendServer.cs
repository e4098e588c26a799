using MetaServer.Hosting;
using MetaServer.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetaServer.Frontend.Tests.Integration;

/// <summary>The frontend in a WebApplication on 127.0.0.1 (port 0), the embedded transport and a fake accounts backend.</summary>
internal sealed class FrontendServer : IAsyncDisposable
{
    private bool _stopped;

    private FrontendServer(WebApplication app, FakeAccounts accounts)
    {
        App = app;
        Accounts = accounts;
    }

    public WebApplication App { get; }

    public FakeAccounts Accounts { get; }

    public Uri HttpBase { get; private set; } = null!;

    public Uri WebSocketUri => new($"ws://{HttpBase.Authority}/ws");

    public static async Task<FrontendServer> StartAsync(IDictionary<string, string?>? settings = null, bool startAccounts = true, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var config = new Dictionary<string, string?>
        {
            ["MetaServer:DeploymentVersion"] = "t1",
            ["MetaServer:Frontend:Tokens:SigningKey"] = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray()),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddMetaServerFrontend(builder.Configuration);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapMetaServerFrontend();

        var accounts = new FakeAccounts(app.Services.GetRequiredService<IMessageTransport>(), app.Services.GetRequiredService<QueueNames>());
        var server = new FrontendServer(app, accounts);

        await app.StartAsync();
        server.HttpBase = new Uri(app.Urls.Single());
        if (startAccounts)
        {
            await accounts.StartAsync();
        }

        return server;
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await App.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        await Accounts.DisposeAsync();
        await App.DisposeAsync();
    }
}
