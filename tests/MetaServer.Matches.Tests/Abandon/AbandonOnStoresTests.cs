using MetaServer.Matches.Abandon;
using MetaServer.Matches.DynamoDb;
using MetaServer.Matches.Sqlite;
using MetaServer.Matches.Storage;
using MetaServer.Matches.Tests.Flow;
using MetaServer.Matches.Tests.Storage;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Matches.Tests.Abandon;

/// <summary>The open-match index and parallel sweepers on the real stores' conditional writes.</summary>
internal static class AbandonOnStores
{
    public static async Task ParallelSweepersAbandonEachMatchOnceAsync(AbandonHarness h)
    {
        const int matches = 6;
        for (var i = 0; i < matches; i++)
        {
            var ticketId = (await h.Flow.StartAsync("p" + i)).Matchmaking.Status.TicketId;
            await h.Flow.Events.HandleAsync(MatchHelpers.Succeeded(h.Flow, "m-" + i, "ev-" + i, (ticketId, ["p" + i], "red")), CancellationToken.None);
        }

        h.Flow.Clock.Advance(h.StartTimeout + h.AbandonSettings.BucketWidth);
        var sweepers = Enumerable.Range(0, 3).Select(_ => h.SweeperOver(new YieldingMatchStore(h.Flow.Store))).ToList();

        var reports = await Task.WhenAll(sweepers.Select(s => Task.Run(() => s.SweepOnceAsync(CancellationToken.None))));

        Assert.Equal(matches, reports.Sum(r => r.Abandoned));
        var index = h.Flow.Get<OpenMatchIndex>();
        for (var i = 0; i < matches; i++)
        {
            var match = await h.MatchAsync("m-" + i);
            Assert.Equal(MatchRecordState.Abandoned, match.State);
            var deadline = DateTimeOffset.FromUnixTimeMilliseconds(match.CreatedAtUnixMs) + h.StartTimeout;
            var (shard, _) = await index.ReadAsync(MatchStoreKeys.OpenMatches(index.BucketOf(deadline.ToUnixTimeMilliseconds()), index.ShardOf(match.MatchId)), CancellationToken.None);
            Assert.True(shard.Sealed);
            Assert.Empty(shard.Entries);
            Assert.Equal(ResultCode.Ok, (await h.Flow.StartAsync("p" + i, "again")).Result.Code);
        }

        var (cursor, _) = await index.ReadCursorAsync(CancellationToken.None);
        Assert.Equal(index.BucketOf(h.Flow.Clock.GetUtcNow().ToUnixTimeMilliseconds()), cursor!.NextBucketUnixMs);
    }
}

public sealed class SqliteAbandonTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task SweepOnceAsync_ParallelSweepersOnSqlite_EachMatchAbandonedOnce()
    {
        SqliteMatchStore? sqlite = null;
        using var h = new AbandonHarness(storeFactory: clock => sqlite = new SqliteMatchStore(Path.Combine(_folder.Path, "matches.db"), clock));
        try
        {
            await AbandonOnStores.ParallelSweepersAbandonEachMatchOnceAsync(h);
        }
        finally
        {
            sqlite?.Dispose();
        }
    }
}

public sealed class DynamoDbAbandonTests(DynaliteFixture dynalite) : IClassFixture<DynaliteFixture>
{
    [Fact]
    public async Task SweepOnceAsync_ParallelSweepersOnDynamoDb_EachMatchAbandonedOnce()
    {
        DynamoDbMatchStore? dynamo = null;
        using var h = new AbandonHarness(storeFactory: clock => dynamo = new DynamoDbMatchStore(
            dynalite.CreateClient(), DynaliteFixture.NewTableName(), new WallTimersManualNow(clock), NullLogger<DynamoDbMatchStore>.Instance, ownsClient: true));
        await dynamo!.InitializeAsync(createIfMissing: true, CancellationToken.None);
        try
        {
            await AbandonOnStores.ParallelSweepersAbandonEachMatchOnceAsync(h);
        }
        finally
        {
            await dynalite.DeleteTableAsync(dynamo.TableName);
            dynamo.Dispose();
        }
    }
}
