using Google.Protobuf;
using MetaServer.Protocol;
using MetaServer.Matches.Abandon;
using MetaServer.Matches.Service;
using MetaServer.Matches.Storage;
using MetaServer.Matches.Tests.Flow;
using MetaServer.Messaging;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MetaServer.Matches.Tests.Abandon;

public sealed class AbandonSweeperTests : IDisposable
{
    private readonly AbandonHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task SweepOnceAsync_NeverStarted_AbandonedAtStartTimeoutNotOneTickBefore()
    {
        var matchId = await _h.HandOffAliceAsync();

        _h.Flow.Clock.Advance(_h.StartTimeout - TimeSpan.FromTicks(1));
        var early = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(0, early.Abandoned);
        Assert.Equal(MatchRecordState.Created, (await _h.MatchAsync(matchId)).State);
        Assert.Equal(ResultCode.InMatch, (await _h.Flow.StartAsync("alice", "req-2")).Result.Code);

        _h.Flow.Clock.Advance(TimeSpan.FromTicks(1));
        var due = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(1, due.Abandoned);
        var match = await _h.MatchAsync(matchId);
        Assert.Equal(MatchRecordState.Abandoned, match.State);
        Assert.Equal(_h.Flow.Clock.GetUtcNow().ToUnixTimeMilliseconds(), match.AbandonedAtUnixMs);
        Assert.Contains("did not start", match.AbandonReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SweepOnceAsync_Abandoned_PlayersFreedPushedQueueDeleted()
    {
        var matchId = await _h.HandOffAliceAsync();
        await _h.PushedAsync("alice");
        Assert.True(await _h.Flow.Transport.QueueExistsAsync(_h.Flow.Queues.ForMatch(matchId)));

        _h.Flow.Clock.Advance(_h.StartTimeout);
        await _h.Sweeper.SweepOnceAsync(CancellationToken.None);

        var push = Assert.Single(await _h.PushedAsync("alice"));
        Assert.Equal(MatchmakingState.Failed, push.State);
        Assert.Equal(matchId, push.Assignment.MatchId);
        Assert.Equal("red", push.Assignment.Team);
        Assert.Contains("abandoned", push.Reason, StringComparison.Ordinal);
        var (player, _) = await _h.Flow.Get<FlowStore>().GetPlayerAsync("alice", CancellationToken.None);
        Assert.Null(player.MatchId);
        Assert.False(await _h.Flow.Transport.QueueExistsAsync(_h.Flow.Queues.ForMatch(matchId)));
        Assert.Equal(ResultCode.Ok, (await _h.Flow.StartAsync("alice", "req-2")).Result.Code);

        // A later sweep finds nothing more to do: no second push, no second abandon.
        _h.Flow.Clock.Advance(TimeSpan.FromMinutes(5));
        var again = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.Equal(0, again.Abandoned);
        Assert.Empty(await _h.PushedAsync("alice"));
    }

    [Fact]
    public async Task SweepOnceAsync_StartedWithoutResult_AbandonedAtMaxMatchDurationNotOneTickBefore()
    {
        var matchId = await _h.HandOffAliceAsync();
        await _h.ReportAsync(AbandonHarness.Started(matchId));
        Assert.Equal(MatchRecordState.Started, (await _h.MatchAsync(matchId)).State);

        _h.Flow.Clock.Advance(_h.StartTimeout);
        var atStartTimeout = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.Equal((0, 1), (atStartTimeout.Abandoned, atStartTimeout.Rescheduled));

        _h.Flow.Clock.Advance(_h.MaxMatchDuration - _h.StartTimeout - TimeSpan.FromTicks(1));
        var early = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.Equal(0, early.Abandoned);
        Assert.Equal(MatchRecordState.Started, (await _h.MatchAsync(matchId)).State);

        _h.Flow.Clock.Advance(TimeSpan.FromTicks(1));
        var due = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(1, due.Abandoned);
        var match = await _h.MatchAsync(matchId);
        Assert.Equal(MatchRecordState.Abandoned, match.State);
        Assert.Contains("no result", match.AbandonReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportAsync_ResultAfterAbandon_RejectedAndMatchStaysAbandoned()
    {
        var matchId = await _h.HandOffAliceAsync();
        _h.Flow.Clock.Advance(_h.StartTimeout);
        await _h.Sweeper.SweepOnceAsync(CancellationToken.None);

        var outgoing = await _h.ReportAsync(await _h.ResultAsync(matchId));

        Assert.Empty(outgoing);
        var match = await _h.MatchAsync(matchId);
        Assert.Equal(MatchRecordState.Abandoned, match.State);
        Assert.Null(match.Result);
        Assert.Null(await _h.Flow.Store.GetAsync(MatchStoreKeys.Rating("alice")));
    }

    [Fact]
    public async Task SweepOnceAsync_ResultWinsTheRace_NotAbandoned()
    {
        var matchId = await _h.HandOffAliceAsync();
        _h.Flow.Clock.Advance(_h.StartTimeout);
        var result = await _h.ResultAsync(matchId);
        IReadOnlyList<Pipelines.OutgoingMessage> accepted = [];

        // The result is accepted between the sweeper's read of the match and its conditional write.
        var racing = new InterceptingMatchStore(_h.Flow.Store, MatchStoreKeys.Match(matchId), async () => accepted = await _h.ReportAsync(result));
        var report = await _h.SweeperOver(racing).SweepOnceAsync(CancellationToken.None);

        Assert.Equal(0, report.Abandoned);
        // Accepted: the reward command goes out (next to the friends service's activity notice).
        Assert.Single(accepted, m => m.Envelope.MessageType == MessageTypes.AccountsApplyMatchResult);
        var match = await _h.MatchAsync(matchId);
        Assert.Equal(MatchRecordState.Completed, match.State);
        Assert.NotNull(match.Result);
        Assert.DoesNotContain(MatchmakingState.Failed, (await _h.PushedAsync("alice")).Select(s => s.State));
    }

    [Fact]
    public async Task SweepOnceAsync_ResultAcceptedButNotYetCompleted_NotAbandoned()
    {
        var matchId = await _h.HandOffAliceAsync();
        var item = await _h.Flow.Store.GetAsync(MatchStoreKeys.Match(matchId));
        var record = MatchRecord.Parser.ParseFrom(item!.Value.Span);
        record.Result = (await _h.ResultAsync(matchId)).Result;
        Assert.NotNull(await _h.Flow.Store.TryWriteAsync(item.Key, record.ToByteArray(), item.Version, null));

        _h.Flow.Clock.Advance(_h.MaxMatchDuration + TimeSpan.FromMinutes(1));
        var report = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(0, report.Abandoned);
        Assert.Equal(MatchRecordState.Created, (await _h.MatchAsync(matchId)).State);
    }

    [Fact]
    public async Task SweepOnceAsync_AbandonWinsTheRace_ResultRejected()
    {
        var matchId = await _h.HandOffAliceAsync();
        _h.Flow.Clock.Advance(_h.StartTimeout);
        var result = await _h.ResultAsync(matchId);

        var report = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        var late = await _h.ReportAsync(result);

        Assert.Equal(1, report.Abandoned);
        Assert.Empty(late);
        Assert.Equal(MatchRecordState.Abandoned, (await _h.MatchAsync(matchId)).State);
    }

    [Fact]
    public async Task SweepOnceAsync_TwoSweepersAtOnce_AbandonOncePushOnce()
    {
        var matchId = await _h.HandOffAliceAsync();
        await _h.PushedAsync("alice");
        _h.Flow.Clock.Advance(_h.StartTimeout);
        AbandonSweepReport? other = null;

        // The other instance sweeps completely between this sweeper's read of the match and its conditional write.
        var racing = new InterceptingMatchStore(
            _h.Flow.Store, MatchStoreKeys.Match(matchId), async () => other = await _h.Sweeper.SweepOnceAsync(CancellationToken.None));
        var mine = await _h.SweeperOver(racing).SweepOnceAsync(CancellationToken.None);

        Assert.NotNull(other);
        Assert.Equal(1, mine.Abandoned + other.Abandoned);
        Assert.Single(await _h.PushedAsync("alice"));
        Assert.Equal(MatchRecordState.Abandoned, (await _h.MatchAsync(matchId)).State);
    }

    [Fact]
    public async Task SweepOnceAsync_ManySweepersInParallel_EachMatchAbandonedOnce()
    {
        for (var i = 0; i < 12; i++)
        {
            var ticketId = (await _h.Flow.StartAsync("p" + i)).Matchmaking.Status.TicketId;
            await _h.Flow.Events.HandleAsync(Flow.MatchHelpers.Succeeded(_h.Flow, "m-" + i, "ev-" + i, (ticketId, ["p" + i], "red")), CancellationToken.None);
        }

        _h.Flow.Clock.Advance(_h.StartTimeout);
        var sweepers = Enumerable.Range(0, 4).Select(_ => _h.SweeperOver(new YieldingMatchStore(_h.Flow.Store))).ToList();

        var reports = await Task.WhenAll(sweepers.Select(s => Task.Run(() => s.SweepOnceAsync(CancellationToken.None))));

        Assert.Equal(12, reports.Sum(r => r.Abandoned));
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(MatchRecordState.Abandoned, (await _h.MatchAsync("m-" + i)).State);
            Assert.Equal(ResultCode.Ok, (await _h.Flow.StartAsync("p" + i, "again")).Result.Code);
        }
    }

    [Fact]
    public async Task SweepOnceAsync_PastBuckets_ClosedAndCursorAdvanced()
    {
        var matchId = await _h.HandOffAliceAsync();
        var index = _h.Flow.Get<OpenMatchIndex>();
        var deadline = _h.Flow.Clock.GetUtcNow() + _h.StartTimeout;
        var bucket = index.BucketOf(deadline.ToUnixTimeMilliseconds());
        var shardKey = MatchStoreKeys.OpenMatches(bucket, index.ShardOf(matchId));
        Assert.Contains(new OpenMatchEntry(matchId, deadline.ToUnixTimeMilliseconds()), (await index.ReadAsync(shardKey, CancellationToken.None)).Record.Entries);

        _h.Flow.Clock.Advance(_h.StartTimeout + _h.AbandonSettings.BucketWidth);
        var report = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(1, report.Abandoned);
        var (closed, _) = await index.ReadAsync(shardKey, CancellationToken.None);
        Assert.True(closed.Sealed);
        Assert.Empty(closed.Entries);
        var (cursor, _) = await index.ReadCursorAsync(CancellationToken.None);
        Assert.Equal(bucket + index.WidthMs, cursor!.NextBucketUnixMs);
    }

    [Fact]
    public async Task AddAsync_LaggingClockIntoSealedBucket_GoesToALaterBucketAndIsStillAbandoned()
    {
        var start = _h.Flow.Clock.GetUtcNow();
        var index = _h.Flow.Get<OpenMatchIndex>();
        await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        _h.Flow.Clock.Advance(TimeSpan.FromMinutes(3));
        await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        var matchId = await _h.HandOffAliceAsync();

        // An instance whose clock lags three minutes indexes a deadline whose bucket the sweeper has already sealed.
        var lagging = ActivatorUtilities.CreateInstance<OpenMatchIndex>(_h.Flow.Get<IServiceProvider>(), (TimeProvider)new ManualTimeProvider(start));
        var late = start + TimeSpan.FromMinutes(1);
        await lagging.AddAsync(matchId, late, CancellationToken.None);

        var shard = index.ShardOf(matchId);
        var (sealedBucket, _) = await index.ReadAsync(MatchStoreKeys.OpenMatches(index.BucketOf(late.ToUnixTimeMilliseconds()), shard), CancellationToken.None);
        Assert.True(sealedBucket.Sealed);
        Assert.Empty(sealedBucket.Entries);
        var (current, _) = await index.ReadAsync(MatchStoreKeys.OpenMatches(index.BucketOf(_h.Flow.Clock.GetUtcNow().ToUnixTimeMilliseconds()), shard), CancellationToken.None);
        Assert.Contains(new OpenMatchEntry(matchId, late.ToUnixTimeMilliseconds()), current.Entries);

        var notYet = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.Equal((0, 1), (notYet.Abandoned, notYet.Rescheduled));

        _h.Flow.Clock.Advance(_h.StartTimeout);
        var due = await _h.Sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.Equal(1, due.Abandoned);
    }

    [Fact]
    public async Task HandOff_AbandonDisabled_NothingIndexedNothingAbandoned()
    {
        using var h = new AbandonHarness(s => s["MetaServer:Matches:Abandon:Enabled"] = "false");
        var matchId = await h.HandOffAliceAsync();
        var index = h.Flow.Get<OpenMatchIndex>();
        var deadline = h.Flow.Clock.GetUtcNow() + h.StartTimeout;

        var (bucket, version) = await index.ReadAsync(MatchStoreKeys.OpenMatches(index.BucketOf(deadline.ToUnixTimeMilliseconds()), index.ShardOf(matchId)), CancellationToken.None);

        Assert.Equal(0, version);
        Assert.Empty(bucket.Entries);
        Assert.Equal(MatchRecordState.Created, (await h.MatchAsync(matchId)).State);
    }

    [Fact]
    public async Task MatchAbandonService_TimerOnTheClock_AbandonsOverdueMatchAndPushes()
    {
        var service = _h.Flow.Get<IEnumerable<IHostedService>>().OfType<MatchAbandonService>().Single();
        var matchId = await _h.HandOffAliceAsync();
        await service.StartAsync(CancellationToken.None);
        try
        {
            _h.Flow.Clock.Advance(_h.StartTimeout + _h.AbandonSettings.SweepInterval);

            var received = await _h.Flow.Transport
                .ReceiveAsync(FlowHarness.PushQueue("alice"), new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(20) })
                .AsTask()
                .WithTimeout("the abandon push to alice");

            var push = Envelope.Parser.ParseFrom(EnvelopeCodec.Decode(Assert.Single(received).Body).Payload.Span).MatchmakingUpdate.Status;
            Assert.Equal((MatchmakingState.Failed, matchId), (push.State, push.Assignment.MatchId));
            Assert.Equal(MatchRecordState.Abandoned, (await _h.MatchAsync(matchId)).State);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Check_Defaults_Valid()
    {
        Assert.Empty(AbandonOptionsValidator.Check(new AbandonOptions(), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Check_BadValues_EveryProblemNamed()
    {
        var options = new AbandonOptions
        {
            StartTimeout = TimeSpan.FromHours(2),
            SweepInterval = TimeSpan.Zero,
            BucketWidth = TimeSpan.FromMilliseconds(1500),
            IndexShards = 0,
            MaxBucketsPerSweep = 0,
        };

        var problems = AbandonOptionsValidator.Check(options, TimeSpan.FromHours(1));

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("MetaServer:Matches:Abandon:StartTimeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MetaServer:Matches:Abandon:BucketWidth", StringComparison.Ordinal));
    }
}
