using MetaServer.Storage.Redis;
using MetaServer.Testing;

namespace MetaServer.Storage.Tests;

/// <summary>What every <see cref="IAccountSummaryCache"/> must do. Each test gets a new, empty cache.</summary>
public abstract class AccountSummaryCacheContractTests
{
    /// <summary>The usual time to live of a test cache.</summary>
    protected static readonly TimeSpan LongTimeToLive = TimeSpan.FromMinutes(5);

    /// <summary>A time to live the expiry tests can wait out (instantly with a manual clock).</summary>
    protected abstract TimeSpan ShortTimeToLive { get; }

    protected abstract IAccountSummaryCache CreateCache(TimeSpan timeToLive);

    /// <summary>Time left before the account's entry expires; null when there is none.</summary>
    protected abstract Task<TimeSpan?> RemainingTimeToLiveAsync(IAccountSummaryCache cache, string accountId);

    /// <summary>Makes the entry's remaining time to live <paramref name="remaining"/>.</summary>
    protected abstract Task ShortenTimeToLiveAsync(IAccountSummaryCache cache, string accountId, TimeSpan remaining);

    /// <summary>Returns once the entry has expired.</summary>
    protected abstract Task LetExpireAsync(IAccountSummaryCache cache, string accountId);

    protected static AccountSummary Summary(string id, long revision, string nickname = "nick") => new()
    {
        AccountId = id,
        Revision = revision,
        Nickname = nickname,
        Level = 7,
        Rating = 1500,
        LastLoginAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 89, TimeSpan.Zero),
    };

    [Fact]
    public async Task Set_ThenGet_ReturnsEveryField()
    {
        var cache = CreateCache(LongTimeToLive);
        var summary = Summary("acc-1", 3, "Zoë \U0001F600");

        Assert.True(await cache.SetAsync(summary));

        Assert.Equal(summary, await cache.GetAsync("acc-1"));
        Assert.Null(await cache.GetAsync("acc-2"));
    }

    [Fact]
    public async Task Set_OlderRevision_KeepsNewerSummary()
    {
        var cache = CreateCache(LongTimeToLive);
        await cache.SetAsync(Summary("acc-1", 5, "new"));

        Assert.False(await cache.SetAsync(Summary("acc-1", 4, "old")));

        Assert.Equal("new", (await cache.GetAsync("acc-1"))!.Nickname);
    }

    [Fact]
    public async Task Set_SameOrNewerRevision_Replaces()
    {
        var cache = CreateCache(LongTimeToLive);
        await cache.SetAsync(Summary("acc-1", 5, "first"));

        Assert.True(await cache.SetAsync(Summary("acc-1", 5, "same")));
        Assert.Equal("same", (await cache.GetAsync("acc-1"))!.Nickname);
        Assert.True(await cache.SetAsync(Summary("acc-1", 6, "newer")));
        Assert.Equal(6, (await cache.GetAsync("acc-1"))!.Revision);
    }

    [Fact]
    public async Task Set_ConcurrentWritersInAnyOrder_NewestRevisionWins()
    {
        var cache = CreateCache(LongTimeToLive);
        var revisions = Enumerable.Range(1, 60).OrderBy(r => (r * 37) % 61).ToArray();

        await Task.WhenAll(revisions.Select(r => Task.Run(async () => await cache.SetAsync(Summary("acc-1", r, $"rev{r}")))));

        var cached = await cache.GetAsync("acc-1");
        Assert.Equal(60, cached!.Revision);
        Assert.Equal("rev60", cached.Nickname);
    }

    [Fact]
    public async Task GetMany_HundredsOfIds_ReturnsHitsOnly()
    {
        var cache = CreateCache(LongTimeToLive);
        var ids = Enumerable.Range(0, 500).Select(i => $"acc-{i}").ToArray();
        foreach (var id in ids.Where((_, i) => i % 2 == 0))
        {
            await cache.SetAsync(Summary(id, 1, "n" + id));
        }

        var found = await cache.GetManyAsync(ids);

        Assert.Equal(250, found.Count);
        Assert.All(ids.Where((_, i) => i % 2 == 0), id => Assert.Equal("n" + id, found[id].Nickname));
        Assert.DoesNotContain("acc-1", found.Keys);
    }

    [Fact]
    public async Task GetMany_NoIdsOrTooMany_EmptyOrThrows()
    {
        var cache = CreateCache(LongTimeToLive);

        Assert.Empty(await cache.GetManyAsync([]));
        var tooMany = Enumerable.Range(0, IAccountSummaryCache.MaxBatchSize + 1).Select(i => $"a{i}").ToArray();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await cache.GetManyAsync(tooMany));
    }

    [Fact]
    public async Task Remove_ThenGet_Misses()
    {
        var cache = CreateCache(LongTimeToLive);
        await cache.SetAsync(Summary("acc-1", 1));

        await cache.RemoveAsync("acc-1");
        await cache.RemoveAsync("acc-never");

        Assert.Null(await cache.GetAsync("acc-1"));
        Assert.True(await cache.SetAsync(Summary("acc-1", 1)));
    }

    [Fact]
    public async Task Set_EntryExpiresWithinConfiguredTimeToLive()
    {
        var cache = CreateCache(LongTimeToLive);
        await cache.SetAsync(Summary("acc-1", 1));

        var remaining = await RemainingTimeToLiveAsync(cache, "acc-1");

        Assert.NotNull(remaining);
        Assert.InRange(remaining.Value, LongTimeToLive - TimeSpan.FromMinutes(1), LongTimeToLive);
    }

    [Fact]
    public async Task Set_AgainWithSameRevision_RestartsTimeToLive()
    {
        var cache = CreateCache(LongTimeToLive);
        await cache.SetAsync(Summary("acc-1", 1));
        await ShortenTimeToLiveAsync(cache, "acc-1", TimeSpan.FromSeconds(30));
        Assert.InRange((await RemainingTimeToLiveAsync(cache, "acc-1"))!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(30));

        await cache.SetAsync(Summary("acc-1", 1));

        Assert.InRange((await RemainingTimeToLiveAsync(cache, "acc-1"))!.Value, TimeSpan.FromMinutes(1), LongTimeToLive);
    }

    [Fact]
    public async Task Get_AfterTimeToLive_Misses_AndAnOlderRevisionMayBeCachedAgain()
    {
        var cache = CreateCache(ShortTimeToLive);
        await cache.SetAsync(Summary("acc-1", 5));
        await cache.SetAsync(Summary("acc-2", 5));

        await LetExpireAsync(cache, "acc-1");
        await LetExpireAsync(cache, "acc-2");

        Assert.Null(await cache.GetAsync("acc-1"));
        Assert.Empty(await cache.GetManyAsync(["acc-1", "acc-2"]));
        Assert.True(await cache.SetAsync(Summary("acc-1", 3)));
        Assert.Equal(3, (await cache.GetAsync("acc-1"))!.Revision);
    }

    [Fact]
    public async Task Set_InvalidSummary_Throws()
    {
        var cache = CreateCache(LongTimeToLive);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await cache.SetAsync(Summary("acc-1", 0)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await cache.SetAsync(Summary(string.Empty, 1)));
        Assert.Null(await cache.GetAsync("acc-1"));
    }
}

public sealed class EmbeddedAccountSummaryCacheTests : AccountSummaryCacheContractTests
{
    private readonly ManualTimeProvider _clock = new();

    protected override TimeSpan ShortTimeToLive => TimeSpan.FromMinutes(1);

    protected override IAccountSummaryCache CreateCache(TimeSpan timeToLive) => new EmbeddedAccountSummaryCache(_clock, timeToLive);

    protected override Task<TimeSpan?> RemainingTimeToLiveAsync(IAccountSummaryCache cache, string accountId) =>
        Task.FromResult(((EmbeddedAccountSummaryCache)cache).TimeToLiveOf(accountId));

    protected override Task ShortenTimeToLiveAsync(IAccountSummaryCache cache, string accountId, TimeSpan remaining)
    {
        _clock.Advance(((EmbeddedAccountSummaryCache)cache).TimeToLiveOf(accountId)!.Value - remaining);
        return Task.CompletedTask;
    }

    protected override Task LetExpireAsync(IAccountSummaryCache cache, string accountId)
    {
        if (((EmbeddedAccountSummaryCache)cache).TimeToLiveOf(accountId) is { } left)
        {
            _clock.Advance(left);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Set_ManyExpiredEntries_SweptOnLaterWrite()
    {
        var cache = new EmbeddedAccountSummaryCache(_clock, TimeSpan.FromMinutes(1));
        await cache.SetAsync(Summary("acc-1", 1));
        _clock.Advance(TimeSpan.FromMinutes(2));

        await cache.SetAsync(Summary("acc-2", 1));

        Assert.Null(cache.TimeToLiveOf("acc-1"));
        Assert.Equal(TimeSpan.FromMinutes(1), cache.TimeToLiveOf("acc-2"));
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisAccountSummaryCacheTests(RedisFixture redis) : AccountSummaryCacheContractTests
{
    private readonly RedisKeys _keys = RedisFixture.NewKeys();

    protected override TimeSpan ShortTimeToLive => TimeSpan.FromMilliseconds(200);

    protected override IAccountSummaryCache CreateCache(TimeSpan timeToLive) =>
        new RedisAccountSummaryCache(redis.Database, _keys, timeToLive, RedisFixture.OperationTimeout);

    protected override Task<TimeSpan?> RemainingTimeToLiveAsync(IAccountSummaryCache cache, string accountId) =>
        redis.PttlAsync(_keys.AccountSummary(accountId));

    protected override Task ShortenTimeToLiveAsync(IAccountSummaryCache cache, string accountId, TimeSpan remaining) =>
        redis.PexpireAsync(_keys.AccountSummary(accountId), remaining);

    protected override Task LetExpireAsync(IAccountSummaryCache cache, string accountId) =>
        redis.WaitForExpiryAsync(_keys.AccountSummary(accountId));

    [Fact]
    public async Task Get_UnreadableValue_IsAMiss()
    {
        var cache = CreateCache(LongTimeToLive);
        await redis.Database.StringSetAsync(_keys.AccountSummary("acc-1"), "not a summary");

        Assert.Null(await cache.GetAsync("acc-1"));
        Assert.True(await cache.SetAsync(Summary("acc-1", 1)));
    }
}
