using MetaServer.Accounts;
using MetaServer.Accounts.Host;
using MetaServer.Hosting;
using MetaServer.Pipelines;
using MetaServer.Storage.Redis;

// Accounts service on its own: consumes accounts.* request queues and answers on the frontends' reply queues.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetaServerCore(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddAccountsService(builder.Configuration);
builder.Services.AddConfiguredAccountStore(builder.Configuration);
builder.Services.AddMetaServerStorage(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddMessagePipelines();

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
await app.RunAsync();
