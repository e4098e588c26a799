using MetaServer.Accounts;
using MetaServer.Accounts.Sqlite;
using MetaServer.Friends;
using MetaServer.Friends.Leaderboards;
using MetaServer.Friends.Stores;
using MetaServer.Frontend;
using MetaServer.GameServer.Sample;
using MetaServer.Hosting;
using MetaServer.Matches;
using MetaServer.Matches.Stores;
using MetaServer.Payments;
using MetaServer.Payments.AppStore;
using MetaServer.Payments.Clawbacks;
using MetaServer.Payments.GooglePlay;
using MetaServer.Payments.Stores;
using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.GameLift;
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

        // Matchmaking: the offline FlexMatch engine on the bundled sample rule sets (copied next to the binaries).
        ["MetaServer:Matchmaking:Kind"] = "Offline",
        ["MetaServer:Matchmaking:Offline:TickInterval"] = "00:00:00.250",
        ["MetaServer:Matchmaking:Configurations:casual-5v5:RuleSetPath"] = RuleSet("casual-5v5-bots.json"),
        ["MetaServer:Matchmaking:Configurations:casual-5v5:RequestTimeoutSeconds"] = "120",
        ["MetaServer:Matchmaking:Configurations:ranked-1v1:RuleSetPath"] = RuleSet("ranked-1v1.json"),
        ["MetaServer:Matchmaking:Configurations:ranked-1v1:AcceptanceRequired"] = "true",
        ["MetaServer:Matchmaking:Configurations:ranked-1v1:AcceptanceTimeoutSeconds"] = "20",
        ["MetaServer:Matchmaking:Configurations:ranked-1v1:RequestTimeoutSeconds"] = "120",
        ["MetaServer:Matchmaking:Configurations:free-for-all-8:RuleSetPath"] = RuleSet("free-for-all-8.json"),
        ["MetaServer:Matchmaking:Configurations:free-for-all-8:RequestTimeoutSeconds"] = "120",

        // Game modes of the bundled game config and the matchmaking configuration each one uses. "domination"
        // (6v6) has no sample rule set, so it is not offered until a studio configures one.
        ["MetaServer:Matches:GameModes:team-deathmatch:Configuration"] = "casual-5v5",
        ["MetaServer:Matches:GameModes:team-deathmatch:Maps:0"] = "harbor",
        ["MetaServer:Matches:GameModes:team-deathmatch:Maps:1"] = "refinery",
        ["MetaServer:Matches:GameModes:duel:Configuration"] = "ranked-1v1",
        ["MetaServer:Matches:GameModes:duel:Maps:0"] = "rooftop",
        ["MetaServer:Matches:GameModes:free-for-all:Configuration"] = "free-for-all-8",
        ["MetaServer:Matches:GameModes:free-for-all:Maps:0"] = "warehouse",

        // Simulated game servers play the matches in process, so queue -> match -> game -> results runs locally.
        ["MetaServer:GameServers:Simulated:Slots"] = "4",
    };

    private static string RuleSet(string fileName) => Path.Combine(AppContext.BaseDirectory, "matchmaking", fileName);

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
        builder.Services.AddMatchesService(builder.Configuration);
        builder.Services.AddMatchResults(builder.Configuration);
        builder.Services.AddConfiguredMatchStore(builder.Configuration);
        builder.Services.AddFlexMatchBuilder();
        builder.Services.AddMatchmaker(builder.Configuration);
        builder.Services.AddMatchmakingEventPipeline(builder.Configuration);
        builder.Services.AddSimulatedGameServers(builder.Configuration);
        builder.Services.AddFriendsService(builder.Configuration);
        builder.Services.AddConfiguredFriendStore(builder.Configuration);
        builder.Services.AddFriendsLeaderboardSource();

        // Payments: a store's verifier is registered only when its section (MetaServer:Payments:AppStore /
        // MetaServer:Payments:GooglePlay) is configured; otherwise redeeming for it answers UNAVAILABLE "not configured".
        builder.Services.AddPaymentsService(builder.Configuration);
        if (builder.Configuration.IsAppStoreConfigured())
        {
            builder.Services.AddAppStoreVerification(builder.Configuration);
        }

        if (builder.Configuration.IsGooglePlayConfigured())
        {
            builder.Services.AddGooglePlayVerification(builder.Configuration);
        }

        builder.Services.AddConfiguredPaymentStore(builder.Configuration);
        builder.Services.AddMessagePipelines();
        builder.Services.AddMetaServerFrontend(builder.Configuration);

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapMetaServerFrontend();
        app.MapAppStoreNotifications();
        return app;
    }
}
