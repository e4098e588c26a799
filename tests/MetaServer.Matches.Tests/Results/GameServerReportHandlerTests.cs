using MetaServer.Matches.Rating;
using MetaServer.Matches.Results;
using MetaServer.Matches.Storage;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Storage;
using static MetaServer.Matches.Tests.Results.ResultsHarness;

namespace MetaServer.Matches.Tests.Results;

public sealed class GameServerReportHandlerTests
{
    [Fact]
    public async Task Handle_Started_MovesCreatedToStartedOnce()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "p2"));
        var started = new GameServerReport
        {
            MatchId = "m1",
            GameServerId = "gs-7",
            Started = new MatchStartedReport { StartedAtUnixMs = 1234, GameServerAddress = "10.0.0.1:7777" },
        };

        Assert.Empty(await h.DeliverAsync(started));
        var afterFirst = await h.Memory.GetAsync(MatchStoreKeys.Match("m1"));
        Assert.Empty(await h.DeliverAsync(started));

        var record = await h.MatchAsync("m1");
        Assert.Equal(MatchRecordState.Started, record!.State);
        Assert.Equal(1234, record.StartedAtUnixMs);
        Assert.Equal("gs-7", record.GameServerId);
        Assert.Equal("10.0.0.1:7777", record.GameServerAddress);
        Assert.Equal(afterFirst!.Version, (await h.Memory.GetAsync(MatchStoreKeys.Match("m1")))!.Version);
    }

    [Fact]
    public async Task Handle_Result_TellsFriendsServiceEveryHumanIsIdleAtResultTime()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1", "p2"), Team("blue", "p3", "p4"));

        var outgoing = await h.DeliverAsync(Result("m1", ("red", 1), ("blue", 2)));

        var record = await h.MatchAsync("m1");
        var notices = outgoing.Where(o => o.Envelope.MessageType == MessageTypes.FriendsPlayerActivity)
            .Select(o => PlayerActivityNotice.Parser.ParseFrom(o.Envelope.Payload.Span))
            .ToList();
        Assert.Equal(["p1", "p2", "p3", "p4"], notices.Select(n => n.AccountId).Order());
        Assert.All(notices, n => Assert.Equal((PlayerActivity.Idle, record!.ResultAcceptedAtUnixMs), (n.Activity, n.AtUnixMs)));
    }

    [Fact]
    public async Task Handle_TwoTeamResult_RatesLikeTheModelUpdatesLeaderboardCompletesAndRewards()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1", "p2"), Team("blue", "p3", "p4"));
        var report = Result("m1", ("red", 1), ("blue", 2));
        report.Result.Players.Add(new PlayerMatchStats { PlayerId = "p1", Stats = { ["kills"] = 3 } });

        var commands = Commands(await h.DeliverAsync(report));

        var expected = h.Model.Rate([[h.Model.NewPlayer(), h.Model.NewPlayer()], [h.Model.NewPlayer(), h.Model.NewPlayer()]], [1, 2]);
        var p1 = await h.RatingAsync("p1");
        var p3 = await h.RatingAsync("p3");
        Assert.Equal(expected[0][0].Mu, p1!.Mu, 12);
        Assert.Equal(expected[0][0].Sigma, p1.Sigma, 12);
        Assert.Equal(expected[1][0].Mu, p3!.Mu, 12);
        Assert.True(p1.Mu > h.Model.Mu);
        Assert.True(p3.Mu < h.Model.Mu);
        Assert.Equal(1, p1.MatchesPlayed);
        Assert.Equal(["m1"], p1.RecentMatchIds);

        var top = await h.CurrentBoard.GetTopAsync(10);
        Assert.Equal(4, top.Count);
        Assert.Equal((long)SkillAttribute.FromRating(expected[0][0]), (await h.CurrentBoard.GetEntryAsync("p1"))!.Score);
        Assert.Equal((long)SkillAttribute.FromRating(expected[1][1]), (await h.CurrentBoard.GetEntryAsync("p4"))!.Score);
        Assert.True(top[0].Score > top[3].Score);

        var record = await h.MatchAsync("m1");
        Assert.Equal(MatchRecordState.Completed, record!.State);
        Assert.Equal(4, record.RatingChanges.Count);

        Assert.Equal(4, commands.Count);
        Assert.Equal(MatchOutcome.Win, commands["p1"].Outcome);
        Assert.Equal(MatchOutcome.Win, commands["p2"].Outcome);
        Assert.Equal(MatchOutcome.Loss, commands["p3"].Outcome);
        Assert.Equal(3, commands["p1"].Stats["kills"]);
        Assert.Empty(commands["p2"].Stats);
        Assert.All(commands.Values, c => Assert.Equal("m1", c.MatchId));
        Assert.All(commands.Values, c => Assert.Equal("duel", c.GameMode));
    }

    [Fact]
    public async Task Handle_ResultDeliveredTwice_AppliesRatingOnceAndResendsSameRewards()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "p2"));
        var report = Result("m1", ("red", 1), ("blue", 2));

        var first = Commands(await h.DeliverAsync(report));
        var ratingAfterFirst = await h.RatingAsync("p1");
        var second = Commands(await h.DeliverAsync(report));

        var p1 = await h.RatingAsync("p1");
        Assert.Equal(ratingAfterFirst, p1);
        Assert.Equal(1, p1!.MatchesPlayed);
        // Accounts applies a match once per (account, match id), so sending the same commands again is safe.
        Assert.Equal(first, second);
        Assert.Equal(2, await h.CurrentBoard.CountAsync());
    }

    [Fact]
    public async Task Handle_ResultDeliveredConcurrently_AppliesRatingOnce()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "p2"), Team("green", "p3"));
        var report = Result("m1", ("red", 1), ("blue", 2), ("green", 3));

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await h.DeliverAsync(report))));

        var expected = h.Model.Rate([[h.Model.NewPlayer()], [h.Model.NewPlayer()], [h.Model.NewPlayer()]], [1, 2, 3]);
        foreach (var (id, index) in new[] { ("p1", 0), ("p2", 1), ("p3", 2) })
        {
            var rating = await h.RatingAsync(id);
            Assert.Equal(1, rating!.MatchesPlayed);
            Assert.Equal(expected[index][0].Mu, rating.Mu, 12);
        }

        Assert.All(deliveries, d => Assert.Equal(3, Commands(d).Count));
        Assert.Equal(MatchRecordState.Completed, (await h.MatchAsync("m1"))!.State);
    }

    [Theory]
    [InlineData("rating#p2")] // crash after p1's rating was applied, before p2's
    [InlineData("match#m1")] // crash after every rating and leaderboard write, before COMPLETED
    public async Task Handle_CrashBetweenSteps_RedeliveryFinishesWithoutApplyingTwice(string crashBeforeWriting)
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "p2"));
        var report = Result("m1", ("red", 2), ("blue", 1));
        var matchWrites = 0;
        h.Store.FailWrite = key => key == crashBeforeWriting && (key != "match#m1" || ++matchWrites == 2);

        await Assert.ThrowsAsync<IOException>(async () => await h.DeliverAsync(report));
        Assert.Equal(1, h.Store.FailedWrites);
        Assert.NotNull((await h.MatchAsync("m1"))!.Result);
        Assert.NotEqual(MatchRecordState.Completed, (await h.MatchAsync("m1"))!.State);

        h.Store.FailWrite = null;
        var commands = Commands(await h.DeliverAsync(report));

        var expected = h.Model.Rate([[h.Model.NewPlayer()], [h.Model.NewPlayer()]], [2, 1]);
        var p1 = await h.RatingAsync("p1");
        var p2 = await h.RatingAsync("p2");
        Assert.Equal(1, p1!.MatchesPlayed);
        Assert.Equal(1, p2!.MatchesPlayed);
        Assert.Equal(expected[0][0].Mu, p1.Mu, 12);
        Assert.Equal(expected[1][0].Mu, p2.Mu, 12);
        Assert.Equal((long)SkillAttribute.FromRating(expected[1][0]), (await h.CurrentBoard.GetEntryAsync("p2"))!.Score);
        Assert.Equal(MatchRecordState.Completed, (await h.MatchAsync("m1"))!.State);
        Assert.Equal(MatchOutcome.Loss, commands["p1"].Outcome);
        Assert.Equal(MatchOutcome.Win, commands["p2"].Outcome);
    }

    [Fact]
    public async Task Handle_CrashAfterAcceptance_RedeliveryReusesStoredRatingsEvenIfRatingsChangedMeanwhile()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "p2"));
        h.Store.FailWrite = key => key.StartsWith("rating#", StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(async () => await h.DeliverAsync(Result("m1", ("red", 1), ("blue", 2))));
        var stored = (await h.MatchAsync("m1"))!.RatingChanges.Single(c => c.PlayerId == "p1");

        // The redelivery carries a different (bogus) result: the accepted one stands.
        h.Store.FailWrite = null;
        var commands = Commands(await h.DeliverAsync(Result("m1", ("red", 2), ("blue", 1))));

        Assert.Equal(MatchOutcome.Win, commands["p1"].Outcome);
        Assert.Equal(stored.MuAfter, (await h.RatingAsync("p1"))!.Mu, 12);
    }

    [Fact]
    public async Task Handle_RecentMatchIdsGuard_BoundedAndRefusesARepeat()
    {
        var h = new ResultsHarness(); // keeps 5 recent match ids
        for (var i = 1; i <= 7; i++)
        {
            await h.CreateMatchAsync($"m{i}", Team("red", "p1"), Team("blue", "p2"));
            await h.DeliverAsync(Result($"m{i}", ("red", 1), ("blue", 2)));
        }

        var p1 = await h.RatingAsync("p1");
        Assert.Equal(7, p1!.MatchesPlayed);
        Assert.Equal(["m3", "m4", "m5", "m6", "m7"], p1.RecentMatchIds);

        // A change for a match already in the list is not applied again, even when the match record is reset.
        var change = (await h.MatchAsync("m7"))!.RatingChanges.Single(c => c.PlayerId == "p1");
        Assert.Equal(p1.Mu, change.MuAfter, 12);
        var item = await h.Memory.GetAsync(MatchStoreKeys.Match("m7"));
        var reset = MatchRecord.Parser.ParseFrom(item!.Value.Span);
        reset.State = MatchRecordState.Started;
        Assert.NotNull(await h.Memory.TryWriteAsync(item.Key, Google.Protobuf.MessageExtensions.ToByteArray(reset), item.Version, null));
        await h.DeliverAsync(Result("m7", ("red", 1), ("blue", 2)));
        Assert.Equal(p1, await h.RatingAsync("p1"));
    }

    [Fact]
    public void ApplyChange_RatingMovedByAnotherMatch_AppliesTheSameChange()
    {
        var change = new MatchRatingChange { PlayerId = "p", MuBefore = 25, SigmaBefore = 8, MuAfter = 27, SigmaAfter = 6 };

        Assert.Equal(new PlayerRating(27, 6), GameServerReportHandler.ApplyChange(new PlayerRating(25, 8), change));
        var moved = GameServerReportHandler.ApplyChange(new PlayerRating(30, 4), change);
        Assert.Equal(32, moved.Mu, 12);
        Assert.Equal(3, moved.Sigma, 12);
    }

    [Fact]
    public async Task Handle_BotsAndHumans_BotsGetNoRatingNoLeaderboardButHumansAreRatedAgainstHumanTeams()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1", "bot-1"), Team("blue", "p2", "bot-2"), Team("bots", "bot-3"));

        var commands = Commands(await h.DeliverAsync(Result("m1", ("bots", 1), ("red", 2), ("blue", 3))));

        Assert.Null(await h.RatingAsync("bot-1"));
        Assert.Null(await h.CurrentBoard.GetEntryAsync("bot-3"));
        var expected = h.Model.Rate([[h.Model.NewPlayer()], [h.Model.NewPlayer()]], [2, 3]);
        Assert.Equal(expected[0][0].Mu, (await h.RatingAsync("p1"))!.Mu, 12);
        Assert.Equal(expected[1][0].Mu, (await h.RatingAsync("p2"))!.Mu, 12);
        Assert.Equal(["p1", "p2"], commands.Keys.Order());
        Assert.Equal(MatchOutcome.Loss, commands["p1"].Outcome);
    }

    [Fact]
    public async Task Handle_OnlyOneHumanTeam_NoRatingButRewards()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "bot-1"));

        var commands = Commands(await h.DeliverAsync(Result("m1", ("red", 1), ("blue", 2))));

        Assert.Null(await h.RatingAsync("p1"));
        Assert.Equal(0, await h.CurrentBoard.CountAsync());
        Assert.Equal(MatchOutcome.Win, commands["p1"].Outcome);
        Assert.Equal(MatchRecordState.Completed, (await h.MatchAsync("m1"))!.State);
    }

    [Theory]
    [InlineData("unknown-match")]
    [InlineData("unknown-team")]
    [InlineData("missing-placement")]
    [InlineData("duplicate-team")]
    [InlineData("zero-rank")]
    [InlineData("unknown-player")]
    public async Task Handle_InvalidResult_DroppedWithoutChanges(string kind)
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "p2"));
        var report = kind switch
        {
            "unknown-match" => Result("m404", ("red", 1), ("blue", 2)),
            "unknown-team" => Result("m1", ("red", 1), ("green", 2)),
            "missing-placement" => Result("m1", ("red", 1)),
            "duplicate-team" => Result("m1", ("red", 1), ("red", 2), ("blue", 2)),
            "zero-rank" => Result("m1", ("red", 0), ("blue", 2)),
            _ => Result("m1", ("red", 1), ("blue", 2)),
        };
        if (kind == "unknown-player")
        {
            report.Result.Players.Add(new PlayerMatchStats { PlayerId = "stranger" });
        }

        var outgoing = await h.DeliverAsync(report);

        Assert.Empty(outgoing);
        Assert.Null(await h.RatingAsync("p1"));
        var record = await h.MatchAsync("m1");
        Assert.Equal(MatchRecordState.Created, record!.State);
        Assert.Null(record.Result);
    }

    [Fact]
    public async Task Handle_UndecodablePayloadOrAbandonedMatch_Dropped()
    {
        var h = new ResultsHarness();
        var valid = Message(Result("m1", ("red", 1)));
        var garbage = valid with { Envelope = valid.Envelope with { Payload = new byte[] { 0xFF, 0xFF, 0xFF } } };
        Assert.Empty(await h.Handler.HandleAsync(garbage, CancellationToken.None));

        await h.CreateMatchAsync("m2", Team("red", "p1"), Team("blue", "p2"));
        var item = await h.Memory.GetAsync(MatchStoreKeys.Match("m2"));
        var abandoned = MatchRecord.Parser.ParseFrom(item!.Value.Span);
        abandoned.State = MatchRecordState.Abandoned;
        await h.Memory.TryWriteAsync(item.Key, Google.Protobuf.MessageExtensions.ToByteArray(abandoned), item.Version, null);
        Assert.Empty(await h.DeliverAsync(Result("m2", ("red", 1), ("blue", 2))));
        Assert.Null(await h.RatingAsync("p1"));
    }

    [Fact]
    public async Task Handle_ResultAfterSeasonRollover_GoesToTheNewSeasonBoard()
    {
        var h = new ResultsHarness();
        await h.CreateMatchAsync("m1", Team("red", "p1"), Team("blue", "p2"));
        await h.DeliverAsync(Result("m1", ("red", 1), ("blue", 2)));
        var november = h.CurrentBoard;

        h.Time.Advance(TimeSpan.FromDays(15)); // 2026-12-05
        await h.CreateMatchAsync("m2", Team("red", "p1"), Team("blue", "p3"));
        await h.DeliverAsync(Result("m2", ("red", 1), ("blue", 2)));

        Assert.Equal("rating.2026-12", h.Seasons.At(h.Time.GetUtcNow()).BoardId);
        Assert.Equal(["p1", "p3"], (await h.CurrentBoard.GetTopAsync(10)).Select(e => e.PlayerId).Order());
        Assert.Equal(2, await november.CountAsync());
        Assert.Null(await november.GetEntryAsync("p3"));
    }
}
