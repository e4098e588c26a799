using MetaServer.Frontend;
using MetaServer.Hosting;
using MetaServer.Storage.Redis;

// The frontend on its own: WebSocket sessions on /ws, requests routed to the backends over the configured transport.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetaServerCore(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddMetaServerStorage(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddMetaServerFrontend(builder.Configuration);

var app = builder.Build();
app.MapMetaServerFrontend();
await app.RunAsync();
