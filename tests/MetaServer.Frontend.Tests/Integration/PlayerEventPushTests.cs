using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Frontend.Tests.Integration;

/// <summary>A backend pushes an event to a logged-in player: session registry look-up, reply queue, session, client.</summary>
public sealed class PlayerEventPushTests
{
    private static async Task<FrontendServer> StartWithStorageAsync(SignallingRegistry? registry = null) =>
        await FrontendServer.StartAsync(services: s =>
        {
            if (registry is not null)
            {
                s.AddSingleton<ISessionRegistry>(registry);
            }

            s.AddEmbeddedStorage();
        });

    [Fact]
    public async Task Publish_LoggedInPlayer_ClientReceivesEvent()
    {
        await using var server = await StartWithStorageAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var login = await client.LoginAsync("device-push-1");
        var playerId = login.Auth.Account.AccountId;
        var publisher = server.App.Services.GetRequiredService<PlayerEventPublisher>();
        var clientEvent = new Envelope { Disconnect = new DisconnectEvent { Code = ResultCode.Unavailable, Reason = "event for you" } };

        var sent = await publisher.PublishAsync(playerId, clientEvent);
        var received = await client.ReceiveAsync();

        Assert.True(sent);
        Assert.Equal(0UL, received.RequestId);
        Assert.Equal(clientEvent, received);
    }

    [Fact]
    public async Task Login_RegistersSessionWithThisInstance_AndCloseUnregistersIt()
    {
        var registry = new SignallingRegistry(new EmbeddedSessionRegistry(TimeProvider.System));
        await using var server = await StartWithStorageAsync(registry);
        var options = server.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FrontendOptions>>().Value;
        var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var playerId = (await client.LoginAsync("device-push-2")).Auth.Account.AccountId;

        var location = await registry.LookupAsync(playerId);
        await client.DisposeAsync();
        await registry.Unregistered.Task.WithTimeout("the frontend to unregister the closed session");

        Assert.NotNull(location);
        Assert.Equal(options.InstanceId, location.FrontendInstanceId);
        Assert.EndsWith(options.InstanceId, location.ReplyQueue, StringComparison.Ordinal);
        Assert.Null(await registry.LookupAsync(playerId));
        Assert.False(await server.App.Services.GetRequiredService<PlayerEventPublisher>().PublishAsync(playerId, new Envelope { Disconnect = new DisconnectEvent() }));
    }

    [Fact]
    public async Task Publish_OfflinePlayer_ReturnsFalse()
    {
        await using var server = await StartWithStorageAsync();
        var publisher = server.App.Services.GetRequiredService<PlayerEventPublisher>();

        Assert.False(await publisher.PublishAsync("nobody", new Envelope { Disconnect = new DisconnectEvent() }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await publisher.PublishAsync("nobody", new Envelope { RequestId = 3 }));
    }

    /// <summary>Passes calls to an inner registry and signals the first successful unregistration.</summary>
    private sealed class SignallingRegistry(ISessionRegistry inner) : ISessionRegistry
    {
        public TaskCompletionSource Unregistered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask RegisterAsync(SessionLocation session, TimeSpan timeToLive, CancellationToken cancellationToken = default) =>
            inner.RegisterAsync(session, timeToLive, cancellationToken);

        public ValueTask<SessionRefresh> RefreshAsync(string playerId, string sessionId, TimeSpan timeToLive, CancellationToken cancellationToken = default) =>
            inner.RefreshAsync(playerId, sessionId, timeToLive, cancellationToken);

        public async ValueTask<bool> UnregisterAsync(string playerId, string sessionId, CancellationToken cancellationToken = default)
        {
            var removed = await inner.UnregisterAsync(playerId, sessionId, cancellationToken);
            if (removed)
            {
                Unregistered.TrySetResult();
            }

            return removed;
        }

        public ValueTask<SessionLocation?> LookupAsync(string playerId, CancellationToken cancellationToken = default) =>
            inner.LookupAsync(playerId, cancellationToken);

        public ValueTask<IReadOnlyDictionary<string, SessionLocation>> LookupManyAsync(IReadOnlyCollection<string> playerIds, CancellationToken cancellationToken = default) =>
            inner.LookupManyAsync(playerIds, cancellationToken);
    }
}
