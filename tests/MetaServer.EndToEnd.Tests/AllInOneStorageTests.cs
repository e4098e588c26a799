using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.EndToEnd.Tests;

/// <summary>The all-in-one host on its embedded storage: summaries written through at login, events pushed to players.</summary>
public sealed class AllInOneStorageTests
{
    [Fact]
    public async Task Login_CachesSummary_AndBackendPushReachesTheClient()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var login = await client.LoginDeviceAsync("device-e2e-storage").WithTimeout("login");
        var accountId = login.Account.AccountId;

        var summary = await host.Services.GetRequiredService<IAccountSummaryCache>().GetAsync(accountId);
        var pushed = new Envelope { Disconnect = new DisconnectEvent { Code = ResultCode.Unavailable, Reason = "pushed by a backend" } };
        var sent = await host.Services.GetRequiredService<PlayerEventPublisher>().PublishAsync(accountId, pushed);
        var received = await client.Events.ReadAsync().AsTask().WithTimeout("the pushed event");

        Assert.IsType<EmbeddedAccountSummaryCache>(host.Services.GetRequiredService<IAccountSummaryCache>());
        Assert.Equal(login.Account.Nickname, summary?.Nickname);
        Assert.Equal(login.Account.Revision, summary?.Revision);
        Assert.True(sent);
        Assert.Equal(pushed, received);
    }
}
