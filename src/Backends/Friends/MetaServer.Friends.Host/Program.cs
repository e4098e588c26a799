using MetaServer.Accounts.DynamoDb;
using MetaServer.Accounts.Sqlite;
using MetaServer.Friends;
using MetaServer.Friends.Stores;
using MetaServer.Hosting;
using MetaServer.Pipelines;
using MetaServer.Storage.Redis;

// Friends service on its own: consumes the friends.* request queues and the session/activity notices, answers on the
// frontends' reply queues and pushes friend events to online players.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetaServerCore(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddFriendsService(builder.Configuration);
builder.Services.AddConfiguredFriendStore(builder.Configuration);
builder.Services.AddMetaServerStorage(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddMessagePipelines();

// Read-only account access (existence, nicknames for cache misses): the accounts service's store.
switch (builder.Configuration["MetaServer:Accounts:Store"]?.Trim().ToUpperInvariant())
{
    case "DYNAMODB":
        builder.Services.AddDynamoDbAccountStore();
        break;
    case "SQLITE":
        builder.Services.AddSqliteAccountStore();
        break;
    default:
        throw new InvalidOperationException("MetaServer:Accounts:Store must be 'DynamoDb' or 'Sqlite' (the friends service reads accounts to check they exist).");
}

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
await app.RunAsync();
