using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Frontend.Tests;

public sealed class SessionPresenceTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(90);

    private readonly ManualTimeProvider _clock = new();
    private readonly EmbeddedSessionRegistry _registry;
    private readonly SessionPresence _presence;

    public SessionPresenceTests()
    {
        _registry = new EmbeddedSessionRegistry(_clock);
        _presence = new SessionPresence(_registry, new FrontendOptions { InstanceId = "fe-a", PresenceTtl = Ttl }, "t1-reply-fe-a", _clock, NullLogger<SessionPresence>.Instance);
    }

    [Fact]
    public async Task AuthenticatedAsync_RegistersSessionWithInstanceAndReplyQueue()
    {
        await _presence.AuthenticatedAsync("s1", "p1");

        Assert.Equal(new SessionLocation("p1", "s1", "fe-a", "t1-reply-fe-a"), await _registry.LookupAsync("p1"));
        Assert.Equal(Ttl, _registry.TimeToLiveOf("p1"));
    }

    [Fact]
    public async Task AuthenticatedAsync_WithCallback_CallsItAfterTheSessionIsRegistered()
    {
        SessionLocation? registeredWhenCalled = null;
        var calls = new List<(string SessionId, string PlayerId)>();
        var presence = new SessionPresence(
            _registry,
            new FrontendOptions { InstanceId = "fe-a", PresenceTtl = Ttl },
            "t1-reply-fe-a",
            _clock,
            NullLogger<SessionPresence>.Instance,
            async (sessionId, playerId) =>
            {
                registeredWhenCalled = await _registry.LookupAsync(playerId);
                calls.Add((sessionId, playerId));
            });

        await presence.AuthenticatedAsync("s1", "p1");

        Assert.Equal([("s1", "p1")], calls);
        Assert.Equal("s1", registeredWhenCalled?.SessionId);
        await presence.EndedAsync("s1");
    }

    [Fact]
    public async Task Timer_EveryThirdOfTtl_KeepsEntryAliveWhileSessionLives()
    {
        await _presence.AuthenticatedAsync("s1", "p1");

        for (var i = 0; i < 10; i++)
        {
            _clock.Advance(Ttl / 3);
        }

        Assert.Equal(Ttl, _registry.TimeToLiveOf("p1"));
        Assert.NotNull(await _registry.LookupAsync("p1"));
    }

    [Fact]
    public async Task Timer_EntryLost_RegistersAgain()
    {
        await _presence.AuthenticatedAsync("s1", "p1");
        await _registry.UnregisterAsync("p1", "s1");

        _clock.Advance(Ttl / 3);

        Assert.Equal("s1", (await _registry.LookupAsync("p1"))?.SessionId);
    }

    [Fact]
    public async Task NewerSessionElsewhere_OldSessionStopsRefreshingAndItsEndKeepsTheNewer()
    {
        await _presence.AuthenticatedAsync("s1", "p1");
        var newer = new SessionLocation("p1", "s2", "fe-b", "t1-reply-fe-b");
        await _registry.RegisterAsync(newer, TimeSpan.FromSeconds(40));

        _clock.Advance(Ttl / 3);
        await _presence.EndedAsync("s1");

        Assert.Equal(newer, await _registry.LookupAsync("p1"));
        Assert.Equal(TimeSpan.FromSeconds(10), _registry.TimeToLiveOf("p1"));
    }

    [Fact]
    public async Task EndedAsync_RemovesEntryAndStopsRefreshing()
    {
        await _presence.AuthenticatedAsync("s1", "p1");

        await _presence.EndedAsync("s1");
        _clock.Advance(Ttl);

        Assert.Null(await _registry.LookupAsync("p1"));
        Assert.Equal(0, _presence.Count);
    }

    [Fact]
    public async Task NoRegistry_DoesNothing()
    {
        var presence = new SessionPresence(null, new FrontendOptions(), "q", _clock, NullLogger<SessionPresence>.Instance);

        await presence.AuthenticatedAsync("s1", "p1");
        await presence.EndedAsync("s1");

        Assert.Equal(0, presence.Count);
    }
}
