using MetaServer.Storage.Redis;

namespace MetaServer.Storage.Tests;

/// <summary>What every <see cref="ILeaderboardStore"/> must do besides each board passing the leaderboard contract.</summary>
public abstract class LeaderboardStoreContractTests
{
    protected abstract ILeaderboardStore CreateStore();

    [Fact]
    public async Task Get_TwoBoardIds_AreIndependent()
    {
        var store = CreateStore();
        await store.Get("rating.2026-10").SubmitAsync("p1", 1500, ScoreUpdate.Replace);
        await store.Get("rating.2026-11").SubmitAsync("p2", 900, ScoreUpdate.Replace);

        Assert.Equal([new LeaderboardEntry(1, "p1", 1500)], await store.Get("rating.2026-10").GetTopAsync(10));
        Assert.Equal([new LeaderboardEntry(1, "p2", 900)], await store.Get("rating.2026-11").GetTopAsync(10));
        Assert.Null(await store.Get("rating.2026-11").GetEntryAsync("p1"));
        Assert.Equal(0, await store.Get("never-written").CountAsync());
    }

    [Fact]
    public async Task Get_SameIdTwice_SeesTheSameData()
    {
        var store = CreateStore();
        await store.Get("weekly:2026-11-16").SubmitAsync("p1", 7, ScoreUpdate.KeepBest);

        Assert.Equal(new LeaderboardEntry(1, "p1", 7), await store.Get("weekly:2026-11-16").GetEntryAsync("p1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("caf\u00E9")]
    public void Get_InvalidId_Throws(string boardId) =>
        Assert.Throws<ArgumentException>(() => CreateStore().Get(boardId));

    [Fact]
    public void Get_TooLongId_Throws() =>
        Assert.Throws<ArgumentException>(() => CreateStore().Get(new string('a', LeaderboardIds.MaxLength + 1)));
}

public sealed class EmbeddedLeaderboardStoreTests : LeaderboardStoreContractTests
{
    protected override ILeaderboardStore CreateStore() => new EmbeddedLeaderboardStore();
}

[Collection(RedisCollection.Name)]
public sealed class RedisLeaderboardStoreTests(RedisFixture redis) : LeaderboardStoreContractTests
{
    protected override ILeaderboardStore CreateStore() => new RedisLeaderboardStore(redis.Database, RedisFixture.NewKeys(), RedisFixture.OperationTimeout);

    [Fact]
    public async Task Get_Board_UsesKeyPerBoardUnderThePrefix()
    {
        var keys = RedisFixture.NewKeys();
        var store = new RedisLeaderboardStore(redis.Database, keys, RedisFixture.OperationTimeout);

        await store.Get("rating.2026-11").SubmitAsync("p1", 3, ScoreUpdate.Replace);

        Assert.Equal(3, await redis.Database.SortedSetScoreAsync(keys.Leaderboard("rating.2026-11"), "p1"));
    }
}

/// <summary>The whole leaderboard contract on a named board of the embedded store.</summary>
public sealed class EmbeddedNamedLeaderboardTests : LeaderboardContractTests
{
    protected override ILeaderboard CreateLeaderboard() => new EmbeddedLeaderboardStore().Get("rating.2026-11");
}

/// <summary>The whole leaderboard contract on a named board of the Redis store.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisNamedLeaderboardTests(RedisFixture redis) : LeaderboardContractTests
{
    protected override ILeaderboard CreateLeaderboard() =>
        new RedisLeaderboardStore(redis.Database, RedisFixture.NewKeys(), RedisFixture.OperationTimeout).Get("rating.2026-11");
}
