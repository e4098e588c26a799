using MetaServer.Accounts.Storage;
using MetaServer.Friends.Storage;
using MetaServer.Hosting;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Tests;

/// <summary><c>AddFriendsService</c> in a host: options validated at start, missing dependencies named.</summary>
public sealed class FriendsRegistrationTests
{
    [Theory]
    [InlineData("MaxFriends", "0")]
    [InlineData("MaxPendingIncoming", "1000")]
    [InlineData("ActivityMaxAge", "00:00:01")]
    [InlineData("MaxPendingOutgoing", "300")]
    public async Task StartAsync_InvalidOption_FailsValidationNamingIt(string key, string value)
    {
        using var host = Build(new() { [$"MetaServer:Friends:{key}"] = value }, withStore: true);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NoFriendStore_FailsNamingIt()
    {
        using var host = Build([], withStore: false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains(nameof(IFriendStore), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_Complete_StartsAndRegistersEveryFriendsHandler()
    {
        using var host = Build([], withStore: true);

        await host.StartAsync().WithTimeout("host start");
        await host.StopAsync();

        var types = host.Services.GetServices<Pipelines.IMessageHandler>().Select(h => h.MessageType).Order(StringComparer.Ordinal).ToArray();
        var expected = typeof(Protocol.MessageTypes).GetFields()
            .Where(f => f.IsLiteral && ((string)f.GetRawConstantValue()!).StartsWith("friends.", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(expected, types);
        Assert.IsType<FriendStoreGraphReader>(host.Services.GetRequiredService<IFriendGraphReader>());
    }

    private static IHost Build(Dictionary<string, string?> settings, bool withStore)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddSingleton<ISessionRegistry>(sp => new EmbeddedSessionRegistry(TimeProvider.System));
        builder.Services.AddSingleton<IAccountSummaryCache>(sp => new EmbeddedAccountSummaryCache(TimeProvider.System, TimeSpan.FromMinutes(1)));
        builder.Services.AddSingleton<IAccountStore>(new FakeAccountStore());
        if (withStore)
        {
            builder.Services.AddSingleton<IFriendStore>(new InMemoryFriendStore());
        }

        builder.Services.AddFriendsService(builder.Configuration);
        return builder.Build();
    }
}
