using MetaServer.Accounts;
using MetaServer.Accounts.Sqlite;
using MetaServer.Frontend;
using MetaServer.Hosting;
using MetaServer.Pipelines;
using MetaServer.Storage.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace MetaServer.AllInOne;

/// <summary>
/// The whole meta-server in one process on embedded defaults: in-process queues, a SQLite store under
/// the data folder, in-memory leaderboard, account-summary cache and session registry, the frontend and every backend. Configuration (appsettings, environment variables
/// <c>MetaServer__…</c>, command-line <c>--MetaServer:…</c>) overrides any default.
/// </summary>
public static class AllInOneApp
{
    /// <summary>Where the server listens when no URL is configured: loopback only, so a laptop run is not exposed.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Defaults of the embedded mode; every key can be overridden by ordinary configuration.</summary>
    public static IReadOnlyDictionary<string, string?> EmbeddedDefaults { get; } = new Dictionary<string, string?>
    {
        ["MetaServer:Transport"] = "Embedded",
        ["MetaServer:Storage:Kind"] = "Embedded",
        // One process, one key file under the data folder: tokens survive restarts without setup.
        ["MetaServer:Frontend:Tokens:AllowGeneratedSigningKey"] = "true",
    };

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Defaults go first so that every configured value wins over them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = EmbeddedDefaults });
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddSqliteAccountStore();
        builder.Services.AddMetaServerStorage(builder.Configuration);
        builder.Services.AddAccountsService(builder.Configuration);
        builder.Services.AddMessagePipelines();
        builder.Services.AddMetaServerFrontend(builder.Configuration);

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapMetaServerFrontend();
        return app;
    }
}
