using MetaServer.AllInOne;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var app = AllInOneApp.Build(args);
app.Lifetime.ApplicationStarted.Register(() =>
{
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    foreach (var address in addresses)
    {
        var ws = new UriBuilder(address) { Scheme = address.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws", Path = "/ws" }.Uri;
        Console.WriteLine($"MetaServer (all-in-one, embedded) is running: {ws}");
        Console.WriteLine($"  health: {address}/healthz   ready: {address}/readyz");
        Console.WriteLine($"  try:    dotnet run --project src/Tools/MetaServer.Cli -- login --device my-device --url {ws}");
    }
});
await app.RunAsync();
