namespace MetaServer.Storage.Tests;

/// <summary>What every <see cref="ILeaderboard"/> must do. Each test gets a new, empty leaderboard.</summary>
public abstract class LeaderboardContractTests
{
    protected abstract ILeaderboard CreateLeaderboard();

    [Fact]
    public async Task Submit_NewPlayer_HasRankAndScore()
    {
        var board = CreateLeaderboard();

        var stored = await board.SubmitAsync("p1", 1200, ScoreUpdate.KeepBest);

        Assert.Equal(1200, stored);
        Assert.Equal(new LeaderboardEntry(1, "p1", 1200), await board.GetEntryAsync("p1"));
        Assert.Equal(1, await board.CountAsync());
    }

    [Fact]
    public async Task Submit_KeepBestLowerScore_KeepsHigherScore()
    {
        var board = CreateLeaderboard();
        await board.SubmitAsync("p1", 1200, ScoreUpdate.KeepBest);

        var lower = await board.SubmitAsync("p1", 1100, ScoreUpdate.KeepBest);
        Assert.Equal(1200, lower);
        Assert.Equal(1200, (await board.GetEntryAsync("p1"))!.Score);

        var higher = await board.SubmitAsync("p1", 1300, ScoreUpdate.KeepBest);
        Assert.Equal(1300, higher);
        Assert.Equal(1300, (await board.GetEntryAsync("p1"))!.Score);
    }

    [Fact]
    public async Task Submit_ReplaceLowerScore_StoresLowerScoreAndMovesPlayerDown()
    {
        var board = CreateLeaderboard();
        await board.SubmitAsync("p1", 1200, ScoreUpdate.Replace);
        await board.SubmitAsync("p2", 1100, ScoreUpdate.Replace);

        var stored = await board.SubmitAsync("p1", 1000, ScoreUpdate.Replace);

        Assert.Equal(1000, stored);
        Assert.Equal(
            [new LeaderboardEntry(1, "p2", 1100), new LeaderboardEntry(2, "p1", 1000)],
            await board.GetTopAsync(10));
        Assert.Equal(2, await board.CountAsync());
    }

    [Fact]
    public async Task GetTop_EqualScores_OrderedByPlayerIdDescendingCodePoint()
    {
        var board = CreateLeaderboard();
        string[] ids = ["a", "b", "\u00E9", "\uFF21", "\U0001F600", "B"];
        foreach (var id in ids)
        {
            await board.SubmitAsync(id, 500, ScoreUpdate.Replace);
        }

        await board.SubmitAsync("low", -5, ScoreUpdate.Replace);
        await board.SubmitAsync("high", 501, ScoreUpdate.Replace);

        var top = await board.GetTopAsync(100);

        // Code points: U+1F600 > U+FF21 > U+00E9 > 'b' > 'a' > 'B'.
        Assert.Equal(["high", "\U0001F600", "\uFF21", "\u00E9", "b", "a", "B", "low"], top.Select(e => e.PlayerId));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], top.Select(e => e.Rank));
        Assert.Equal(-5, top[^1].Score);
    }

    [Fact]
    public async Task GetTop_CountBeyondPlayers_ReturnsEveryPlayer_AndZeroReturnsNone()
    {
        var board = CreateLeaderboard();
        await board.SubmitAsync("p1", 1, ScoreUpdate.Replace);
        await board.SubmitAsync("p2", 2, ScoreUpdate.Replace);

        Assert.Equal(["p2", "p1"], (await board.GetTopAsync(ILeaderboard.MaxPageSize)).Select(e => e.PlayerId));
        Assert.Empty(await board.GetTopAsync(0));
        Assert.Single(await board.GetTopAsync(1));
    }

    [Fact]
    public async Task GetEntry_UnknownPlayer_ReturnsNull()
    {
        var board = CreateLeaderboard();
        await board.SubmitAsync("p1", 1, ScoreUpdate.Replace);

        Assert.Null(await board.GetEntryAsync("nobody"));
    }

    [Fact]
    public async Task GetNeighbours_MiddlePlayer_ReturnsCountAboveAndBelow()
    {
        var board = CreateLeaderboard();
        for (var i = 1; i <= 10; i++)
        {
            await board.SubmitAsync($"p{i:D2}", i * 10, ScoreUpdate.Replace);
        }

        // p05 has score 50: rank 6 of 10 (p10..p06 above it).
        var around = await board.GetNeighboursAsync("p05", 2);

        Assert.Equal(
            [
                new LeaderboardEntry(4, "p07", 70),
                new LeaderboardEntry(5, "p06", 60),
                new LeaderboardEntry(6, "p05", 50),
                new LeaderboardEntry(7, "p04", 40),
                new LeaderboardEntry(8, "p03", 30),
            ],
            around);
    }

    [Fact]
    public async Task GetNeighbours_NearEitherEnd_ClipsToBoard()
    {
        var board = CreateLeaderboard();
        for (var i = 1; i <= 5; i++)
        {
            await board.SubmitAsync($"p{i}", i, ScoreUpdate.Replace);
        }

        var top = await board.GetNeighboursAsync("p5", 3);
        var bottom = await board.GetNeighboursAsync("p2", 3);
        var alone = await board.GetNeighboursAsync("p3", 0);

        Assert.Equal(["p5", "p4", "p3", "p2"], top.Select(e => e.PlayerId));
        Assert.Equal(1, top[0].Rank);
        Assert.Equal(["p5", "p4", "p3", "p2", "p1"], bottom.Select(e => e.PlayerId));
        Assert.Equal([new LeaderboardEntry(3, "p3", 3)], alone);
    }

    [Fact]
    public async Task GetNeighbours_UnknownPlayer_ReturnsEmpty()
    {
        var board = CreateLeaderboard();
        await board.SubmitAsync("p1", 1, ScoreUpdate.Replace);

        Assert.Empty(await board.GetNeighboursAsync("nobody", 5));
    }

    [Fact]
    public async Task Remove_Player_LeavesBoardAndRanksClose()
    {
        var board = CreateLeaderboard();
        await board.SubmitAsync("p1", 3, ScoreUpdate.Replace);
        await board.SubmitAsync("p2", 2, ScoreUpdate.Replace);
        await board.SubmitAsync("p3", 1, ScoreUpdate.Replace);

        Assert.True(await board.RemoveAsync("p2"));
        Assert.False(await board.RemoveAsync("p2"));

        Assert.Null(await board.GetEntryAsync("p2"));
        Assert.Equal(new LeaderboardEntry(2, "p3", 1), await board.GetEntryAsync("p3"));
        Assert.Equal(2, await board.CountAsync());
    }

    [Fact]
    public async Task Submit_ExtremeScores_StoredExactly()
    {
        var board = CreateLeaderboard();
        await board.SubmitAsync("max", ILeaderboard.MaxScore, ScoreUpdate.Replace);
        await board.SubmitAsync("min", -ILeaderboard.MaxScore, ScoreUpdate.Replace);
        await board.SubmitAsync("max-1", ILeaderboard.MaxScore - 1, ScoreUpdate.Replace);

        Assert.Equal(
            [
                new LeaderboardEntry(1, "max", ILeaderboard.MaxScore),
                new LeaderboardEntry(2, "max-1", ILeaderboard.MaxScore - 1),
                new LeaderboardEntry(3, "min", -ILeaderboard.MaxScore),
            ],
            await board.GetTopAsync(3));
    }

    [Fact]
    public async Task Submit_InvalidArguments_Throw()
    {
        var board = CreateLeaderboard();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await board.SubmitAsync("p", ILeaderboard.MaxScore + 1, ScoreUpdate.Replace));
        await Assert.ThrowsAsync<ArgumentException>(async () => await board.SubmitAsync(string.Empty, 1, ScoreUpdate.Replace));
        await Assert.ThrowsAsync<ArgumentException>(async () => await board.SubmitAsync("a\nb", 1, ScoreUpdate.Replace));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await board.GetTopAsync(ILeaderboard.MaxPageSize + 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await board.GetNeighboursAsync("p", ILeaderboard.MaxNeighbours + 1));
        Assert.Equal(0, await board.CountAsync());
    }

    [Fact]
    public async Task RandomSubmissions_MatchAReferenceSort()
    {
        var board = CreateLeaderboard();
        var random = new Random(1234);
        var reference = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < 600; i++)
        {
            var player = $"p{random.Next(200)}";
            var score = random.Next(50); // few distinct scores: many ties
            var update = random.Next(2) == 0 ? ScoreUpdate.KeepBest : ScoreUpdate.Replace;
            var expected = update == ScoreUpdate.KeepBest && reference.TryGetValue(player, out var old) && old > score ? old : score;
            reference[player] = expected;
            Assert.Equal(expected, await board.SubmitAsync(player, score, update));
            if (random.Next(20) == 0)
            {
                var gone = $"p{random.Next(200)}";
                Assert.Equal(reference.Remove(gone), await board.RemoveAsync(gone));
            }
        }

        var sorted = reference
            .Select(p => (Score: p.Value, PlayerId: p.Key))
            .Order(Comparer<(long Score, string PlayerId)>.Create((a, b) => LeaderboardArguments.Compare(a.Score, a.PlayerId, b.Score, b.PlayerId)))
            .Select((p, i) => new LeaderboardEntry(i + 1, p.PlayerId, p.Score))
            .ToList();

        Assert.Equal(sorted, await board.GetTopAsync(ILeaderboard.MaxPageSize));
        Assert.Equal(sorted.Count, await board.CountAsync());
        foreach (var entry in sorted.Where((_, i) => i % 7 == 0))
        {
            Assert.Equal(entry, await board.GetEntryAsync(entry.PlayerId));
            var index = (int)entry.Rank - 1;
            var first = Math.Max(0, index - 3);
            Assert.Equal(sorted.Skip(first).Take(index + 4 - first), await board.GetNeighboursAsync(entry.PlayerId, 3));
        }
    }
}

public sealed class EmbeddedLeaderboardTests : LeaderboardContractTests
{
    protected override ILeaderboard CreateLeaderboard() => new EmbeddedLeaderboard();
}

[Collection(RedisCollection.Name)]
public sealed class RedisLeaderboardTests(RedisFixture redis) : LeaderboardContractTests
{
    protected override ILeaderboard CreateLeaderboard() =>
        new Redis.RedisLeaderboard(redis.Database, RedisFixture.NewKeys().Leaderboard("rating"), RedisFixture.OperationTimeout);
}
