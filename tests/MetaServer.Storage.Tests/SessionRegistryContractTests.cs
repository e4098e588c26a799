using MetaServer.Storage.Redis;
using MetaServer.Testing;

namespace MetaServer.Storage.Tests;

/// <summary>What every <see cref="ISessionRegistry"/> must do. Each test gets a new, empty registry.</summary>
public abstract class SessionRegistryContractTests
{
    protected static readonly TimeSpan LongTimeToLive = TimeSpan.FromMinutes(5);

    /// <summary>A time to live the expiry tests can wait out (instantly with a manual clock).</summary>
    protected abstract TimeSpan ShortTimeToLive { get; }

    protected abstract ISessionRegistry CreateRegistry();

    protected abstract Task<TimeSpan?> RemainingTimeToLiveAsync(ISessionRegistry registry, string playerId);

    protected abstract Task ShortenTimeToLiveAsync(ISessionRegistry registry, string playerId, TimeSpan remaining);

    protected abstract Task LetExpireAsync(ISessionRegistry registry, string playerId);

    protected static SessionLocation Session(string player, string session, string frontend = "fe-1") =>
        new(player, session, frontend, $"v1-reply-{frontend}");

    [Fact]
    public async Task Register_ThenLookup_ReturnsLocation()
    {
        var registry = CreateRegistry();
        var session = Session("p1", "s1");

        await registry.RegisterAsync(session, LongTimeToLive);

        Assert.Equal(session, await registry.LookupAsync("p1"));
        Assert.Null(await registry.LookupAsync("p2"));
        Assert.InRange((await RemainingTimeToLiveAsync(registry, "p1"))!.Value, LongTimeToLive - TimeSpan.FromMinutes(1), LongTimeToLive);
    }

    [Fact]
    public async Task Register_NewerSessionOnOtherFrontend_ReplacesOlder()
    {
        var registry = CreateRegistry();
        await registry.RegisterAsync(Session("p1", "s1", "fe-1"), LongTimeToLive);

        await registry.RegisterAsync(Session("p1", "s2", "fe-2"), LongTimeToLive);

        Assert.Equal(Session("p1", "s2", "fe-2"), await registry.LookupAsync("p1"));
    }

    [Fact]
    public async Task Unregister_SameSession_RemovesEntry()
    {
        var registry = CreateRegistry();
        await registry.RegisterAsync(Session("p1", "s1"), LongTimeToLive);

        Assert.True(await registry.UnregisterAsync("p1", "s1"));
        Assert.False(await registry.UnregisterAsync("p1", "s1"));

        Assert.Null(await registry.LookupAsync("p1"));
    }

    [Fact]
    public async Task Unregister_OlderSession_KeepsNewerSession()
    {
        var registry = CreateRegistry();
        await registry.RegisterAsync(Session("p1", "s1", "fe-1"), LongTimeToLive);
        await registry.RegisterAsync(Session("p1", "s2", "fe-2"), LongTimeToLive);

        Assert.False(await registry.UnregisterAsync("p1", "s1"));

        Assert.Equal(Session("p1", "s2", "fe-2"), await registry.LookupAsync("p1"));
    }

    [Fact]
    public async Task Unregister_SessionIdThatPrefixesTheStoredOne_KeepsEntry()
    {
        var registry = CreateRegistry();
        await registry.RegisterAsync(Session("p1", "s10"), LongTimeToLive);

        Assert.False(await registry.UnregisterAsync("p1", "s1"));
        Assert.Equal(SessionRefresh.Superseded, await registry.RefreshAsync("p1", "s1", LongTimeToLive));

        Assert.Equal("s10", (await registry.LookupAsync("p1"))!.SessionId);
    }

    [Fact]
    public async Task Refresh_SameSession_RestartsTimeToLive()
    {
        var registry = CreateRegistry();
        await registry.RegisterAsync(Session("p1", "s1"), LongTimeToLive);
        await ShortenTimeToLiveAsync(registry, "p1", TimeSpan.FromSeconds(30));

        Assert.Equal(SessionRefresh.Refreshed, await registry.RefreshAsync("p1", "s1", LongTimeToLive));

        Assert.InRange((await RemainingTimeToLiveAsync(registry, "p1"))!.Value, TimeSpan.FromMinutes(1), LongTimeToLive);
        Assert.Equal(Session("p1", "s1"), await registry.LookupAsync("p1"));
    }

    [Fact]
    public async Task Refresh_OtherOrNoSession_ReportsSupersededOrMissing()
    {
        var registry = CreateRegistry();
        await registry.RegisterAsync(Session("p1", "s2"), LongTimeToLive);

        Assert.Equal(SessionRefresh.Superseded, await registry.RefreshAsync("p1", "s1", LongTimeToLive));
        Assert.Equal(SessionRefresh.Missing, await registry.RefreshAsync("p9", "s1", LongTimeToLive));
        Assert.Equal("s2", (await registry.LookupAsync("p1"))!.SessionId);
    }

    [Fact]
    public async Task Lookup_AfterTimeToLive_PlayerIsOffline()
    {
        var registry = CreateRegistry();
        await registry.RegisterAsync(Session("p1", "s1"), ShortTimeToLive);
        await registry.RegisterAsync(Session("p2", "s2"), LongTimeToLive);

        await LetExpireAsync(registry, "p1");

        Assert.Null(await registry.LookupAsync("p1"));
        Assert.Equal(SessionRefresh.Missing, await registry.RefreshAsync("p1", "s1", LongTimeToLive));
        Assert.False(await registry.UnregisterAsync("p1", "s1"));
        Assert.NotNull(await registry.LookupAsync("p2"));
    }

    [Fact]
    public async Task LookupMany_HundredsOfPlayers_ReturnsOnlineOnes()
    {
        var registry = CreateRegistry();
        var players = Enumerable.Range(0, 300).Select(i => $"p{i}").ToArray();
        foreach (var player in players.Where((_, i) => i % 3 == 0))
        {
            await registry.RegisterAsync(Session(player, "s-" + player), LongTimeToLive);
        }

        var online = await registry.LookupManyAsync(players);

        Assert.Equal(100, online.Count);
        Assert.All(online, pair => Assert.Equal(Session(pair.Key, "s-" + pair.Key), pair.Value));
        Assert.Empty(await registry.LookupManyAsync([]));
    }

    [Fact]
    public async Task Register_InvalidArguments_Throw()
    {
        var registry = CreateRegistry();

        await Assert.ThrowsAsync<ArgumentException>(async () => await registry.RegisterAsync(Session("p1", "s\n1"), LongTimeToLive));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await registry.RegisterAsync(Session("p1", "s1"), TimeSpan.Zero));
        var tooMany = Enumerable.Range(0, ISessionRegistry.MaxBatchSize + 1).Select(i => $"p{i}").ToArray();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await registry.LookupManyAsync(tooMany));
        Assert.Null(await registry.LookupAsync("p1"));
    }
}

public sealed class EmbeddedSessionRegistryTests : SessionRegistryContractTests
{
    private readonly ManualTimeProvider _clock = new();

    protected override TimeSpan ShortTimeToLive => TimeSpan.FromSeconds(10);

    protected override ISessionRegistry CreateRegistry() => new EmbeddedSessionRegistry(_clock);

    protected override Task<TimeSpan?> RemainingTimeToLiveAsync(ISessionRegistry registry, string playerId) =>
        Task.FromResult(((EmbeddedSessionRegistry)registry).TimeToLiveOf(playerId));

    protected override Task ShortenTimeToLiveAsync(ISessionRegistry registry, string playerId, TimeSpan remaining)
    {
        _clock.Advance(((EmbeddedSessionRegistry)registry).TimeToLiveOf(playerId)!.Value - remaining);
        return Task.CompletedTask;
    }

    protected override Task LetExpireAsync(ISessionRegistry registry, string playerId)
    {
        if (((EmbeddedSessionRegistry)registry).TimeToLiveOf(playerId) is { } left)
        {
            _clock.Advance(left);
        }

        return Task.CompletedTask;
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisSessionRegistryTests(RedisFixture redis) : SessionRegistryContractTests
{
    private readonly RedisKeys _keys = RedisFixture.NewKeys();

    protected override TimeSpan ShortTimeToLive => TimeSpan.FromMilliseconds(200);

    protected override ISessionRegistry CreateRegistry() => new RedisSessionRegistry(redis.Database, _keys, RedisFixture.OperationTimeout);

    protected override Task<TimeSpan?> RemainingTimeToLiveAsync(ISessionRegistry registry, string playerId) =>
        redis.PttlAsync(_keys.Session(playerId));

    protected override Task ShortenTimeToLiveAsync(ISessionRegistry registry, string playerId, TimeSpan remaining) =>
        redis.PexpireAsync(_keys.Session(playerId), remaining);

    protected override Task LetExpireAsync(ISessionRegistry registry, string playerId) =>
        redis.WaitForExpiryAsync(_keys.Session(playerId));
}
