using Google.Protobuf;
using MetaServer.Matches.Storage;
using MetaServer.Matchmaking;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Tests.Flow;

public sealed class StartMatchmakingTests : IDisposable
{
    private readonly FlowHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task StartCancelStatus_TellFriendsServiceInQueueThenIdleAndStatusTellsNothing()
    {
        var started = await _h.SendAsync(MessageTypes.MatchesStartMatchmaking, new StartMatchmakingRequest { ClientRequestId = "r1", GameMode = "team-deathmatch" }, "alice");
        var ticketId = FlowHarness.ReplyOf(started).Matchmaking.Status.TicketId;
        var status = await _h.SendAsync(MessageTypes.MatchesGetMatchmakingStatus, new GetMatchmakingStatusRequest(), "alice");
        var cancelled = await _h.SendAsync(MessageTypes.MatchesCancelMatchmaking, new CancelMatchmakingRequest { TicketId = ticketId }, "alice");

        static PlayerActivityNotice Notice(IReadOnlyList<Pipelines.OutgoingMessage> outgoing) =>
            PlayerActivityNotice.Parser.ParseFrom(Assert.Single(outgoing, o => o.Envelope.MessageType == MessageTypes.FriendsPlayerActivity).Envelope.Payload.Span);

        Assert.Equal(("alice", PlayerActivity.InQueue), (Notice(started).AccountId, Notice(started).Activity));
        Assert.Equal(_h.Queues.ForMessageType(MessageTypes.FriendsPlayerActivity), Assert.Single(started, o => o.Envelope.MessageType == MessageTypes.FriendsPlayerActivity).QueueName);
        Assert.DoesNotContain(status, o => o.Envelope.MessageType == MessageTypes.FriendsPlayerActivity);
        Assert.Equal(PlayerActivity.Idle, Notice(cancelled).Activity);
        Assert.True(Notice(cancelled).AtUnixMs >= Notice(started).AtUnixMs);
    }

    [Fact]
    public async Task Start_Solo_QueuesTicketWithDefaultSkill()
    {
        var reply = await _h.StartAsync("alice");

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        var status = reply.Matchmaking.Status;
        Assert.Equal(MatchmakingState.Queued, status.State);
        Assert.Equal("team-deathmatch", status.GameMode);
        Assert.Equal("nick-alice", Assert.Single(status.Players).Nickname);
        var started = Assert.Single(_h.Matchmaker.Started);
        Assert.Equal(status.TicketId, started.TicketId);
        Assert.Equal("tdm", started.ConfigurationName);
        var player = Assert.Single(started.Players);
        Assert.Equal(new NumberAttributeValue(1000), player.Attributes["skill"]);
        Assert.Equal(new StringAttributeValue("team-deathmatch"), player.Attributes["gameMode"]);
    }

    [Fact]
    public async Task Start_PlayerWithRating_SkillFromRating()
    {
        var rating = new RatingRecord { Mu = 30, Sigma = 5 };
        await _h.Store.TryWriteAsync(MatchStoreKeys.Rating("alice"), rating.ToByteArray(), 0, null);

        await _h.StartAsync("alice");

        // ordinal 30 - 15 = 15 -> 1000 + 40 * 15.
        Assert.Equal(new NumberAttributeValue(1600), Assert.Single(Assert.Single(_h.Matchmaker.Started).Players).Attributes["skill"]);
    }

    [Fact]
    public async Task Start_UnknownGameMode_NotFound()
    {
        var reply = await _h.StartAsync("alice", gameMode: "tag");

        Assert.Equal(ResultCode.NotFound, reply.Result.Code);
        Assert.Contains("tag", reply.Result.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Matchmaker.Started);
    }

    [Fact]
    public async Task Start_ModeNotConfiguredForMatchmaking_NotFound()
    {
        var reply = await _h.StartAsync("alice", gameMode: "duel");

        Assert.Equal(ResultCode.NotFound, reply.Result.Code);
        Assert.Contains("not open for matchmaking", reply.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoClientRequestId_InvalidArgument()
    {
        var reply = await _h.StartAsync("alice", clientRequestId: string.Empty);

        Assert.Equal(ResultCode.InvalidArgument, reply.Result.Code);
    }

    [Fact]
    public async Task Start_NoPlayer_NotAuthenticated()
    {
        var outgoing = await _h.SendAsync(MessageTypes.MatchesStartMatchmaking, new StartMatchmakingRequest { ClientRequestId = "r", GameMode = "team-deathmatch" });

        Assert.Equal(ResultCode.NotAuthenticated, FlowHarness.ReplyOf(outgoing).Result.Code);
    }

    [Fact]
    public async Task Start_RetrySameClientRequestId_SameTicketSubmittedOnce()
    {
        var first = await _h.StartAsync("alice");
        var retry = await _h.StartAsync("alice");

        Assert.Equal(ResultCode.Ok, retry.Result.Code);
        Assert.Equal(first.Matchmaking.Status.TicketId, retry.Matchmaking.Status.TicketId);
        Assert.Single(_h.Matchmaker.Started);
    }

    [Fact]
    public async Task Start_AlreadyOnLiveTicket_AlreadyQueued()
    {
        await _h.StartAsync("alice", "req-1");
        var second = await _h.StartAsync("alice", "req-2");

        Assert.Equal(ResultCode.AlreadyQueued, second.Result.Code);
        Assert.Single(_h.Matchmaker.Started);
    }

    [Fact]
    public async Task Start_AfterTicketOutlivedItsTimeout_Allowed()
    {
        await _h.StartAsync("alice", "req-1");
        _h.Clock.Advance(TimeSpan.FromSeconds(60) + _h.Options.Value.EventGrace + TimeSpan.FromSeconds(1));

        var second = await _h.StartAsync("alice", "req-2");

        Assert.Equal(ResultCode.Ok, second.Result.Code);
        Assert.Equal(2, _h.Matchmaker.Started.Count);
    }

    [Fact]
    public async Task Start_MatchmakerUnavailable_UnavailableAndPlayerNotHeld()
    {
        _h.Matchmaker.FailNextStart = new MatchmakerException(MatchmakerErrorCode.Unavailable, "throttled");
        var failed = await _h.StartAsync("alice", "req-1");
        var next = await _h.StartAsync("alice", "req-2");

        Assert.Equal(ResultCode.Unavailable, failed.Result.Code);
        Assert.Equal(ResultCode.Ok, next.Result.Code);
    }

    [Fact]
    public async Task Start_CrashBeforeSubmit_RedeliveryResumesAndSubmitsOnce()
    {
        _h.Matchmaker.FailNextStart = new InvalidOperationException("process died");
        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.StartAsync("alice"));

        // The redelivered request finds the recorded ticket and submits it.
        var retry = await _h.StartAsync("alice");

        Assert.Equal(ResultCode.Ok, retry.Result.Code);
        Assert.Equal(retry.Matchmaking.Status.TicketId, Assert.Single(_h.Matchmaker.Started).TicketId);
        var other = await _h.StartAsync("alice", "req-2");
        Assert.Equal(ResultCode.AlreadyQueued, other.Result.Code);
    }

    [Fact]
    public async Task Start_CrashBeforeSubmitNeverRetried_PlayerFreeAfterGrace()
    {
        _h.Matchmaker.FailNextStart = new InvalidOperationException("process died");
        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.StartAsync("alice"));
        _h.Clock.Advance(_h.Options.Value.SubmitGrace);

        var next = await _h.StartAsync("alice", "req-2");

        Assert.Equal(ResultCode.Ok, next.Result.Code);
    }

    [Fact]
    public async Task Start_InLiveMatch_InMatchUntilCompletedOrExpired()
    {
        var matchId = await MatchHelpers.MatchAliceAsync(_h);

        Assert.Equal(ResultCode.InMatch, (await _h.StartAsync("alice", "req-2")).Result.Code);

        var item = (await _h.Store.GetAsync(MatchStoreKeys.Match(matchId)))!;
        var record = MatchRecord.Parser.ParseFrom(item.Value.Span);
        record.State = MatchRecordState.Completed;
        await _h.Store.TryWriteAsync(item.Key, record.ToByteArray(), item.Version, null);

        Assert.Equal(ResultCode.Ok, (await _h.StartAsync("alice", "req-3")).Result.Code);
    }

    [Fact]
    public async Task Start_InMatchPastMaxDuration_Allowed()
    {
        await MatchHelpers.MatchAliceAsync(_h);
        _h.Clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(ResultCode.Ok, (await _h.StartAsync("alice", "req-2")).Result.Code);
    }
}
