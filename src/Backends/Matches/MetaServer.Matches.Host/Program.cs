using MetaServer.Accounts.DynamoDb;
using MetaServer.Accounts.Sqlite;
using MetaServer.Friends.Leaderboards;
using MetaServer.Friends.Stores;
using MetaServer.Hosting;
using MetaServer.Matches;
using MetaServer.Matches.Stores;
using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.GameLift;
using MetaServer.Pipelines;
using MetaServer.Storage.Redis;

// Matches service on its own: consumes matches.* request queues and the matchmaking events queue, answers on the
// frontends' reply queues, hands matches to the game servers and processes their results.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetaServerCore(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddMatchesService(builder.Configuration);
builder.Services.AddMatchResults(builder.Configuration);
builder.Services.AddConfiguredMatchStore(builder.Configuration);
builder.Services.AddFlexMatchBuilder();
builder.Services.AddMatchmaker(builder.Configuration);
builder.Services.AddMatchmakingEventPipeline(builder.Configuration);
builder.Services.AddMetaServerStorage(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddMessagePipelines();

// The FRIENDS leaderboard view reads the friend graph when a friend store is configured (else it answers UNAVAILABLE).
if (FriendStoreSelection.IsConfigured(builder.Configuration))
{
    builder.Services.AddConfiguredFriendStore(builder.Configuration);
    builder.Services.AddFriendsLeaderboardSource();
}

// Read-only account access for the game-server hand-off: the accounts service's store.
switch (builder.Configuration["MetaServer:Accounts:Store"]?.Trim().ToUpperInvariant())
{
    case "DYNAMODB":
        builder.Services.AddDynamoDbAccountStore();
        break;
    case "SQLITE":
        builder.Services.AddSqliteAccountStore();
        break;
    default:
        throw new InvalidOperationException("MetaServer:Accounts:Store must be 'DynamoDb' or 'Sqlite' (the matches service reads accounts for the game-server hand-off).");
}

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
await app.RunAsync();
