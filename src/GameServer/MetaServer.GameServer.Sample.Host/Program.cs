using MetaServer.GameServer.Sample;
using MetaServer.Hosting;

// Sample game servers on their own: take placements from the shared placement queue, play simulated matches and
// post the results to the shared results queue (settings: MetaServer:GameServers:Simulated).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetaServerCore(builder.Configuration, HostLayout.SeparateProcess);
builder.Services.AddSimulatedGameServers(builder.Configuration);

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok"));
await app.RunAsync();
