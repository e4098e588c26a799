using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Bench;

internal static class ServerAddress
{
    /// <summary>The port a started app is listening on (it was asked for port 0).</summary>
    public static int PortOf(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("The server reports no addresses.");
        foreach (var address in addresses)
        {
            var uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("+", "127.0.0.1", StringComparison.Ordinal));
            if (uri.Port > 0)
            {
                return uri.Port;
            }
        }

        throw new InvalidOperationException($"No bound port among: {string.Join(", ", addresses)}");
    }

    public static Uri WebSocketUri(int port) => new($"ws://127.0.0.1:{port}/ws");

    public static Uri HttpUri(int port, string path) => new($"http://127.0.0.1:{port}{path}");
}
