using MetaServer.Matchmaking.Events;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Tests.Flow;

public sealed class TicketFlowTests : IDisposable
{
    private readonly FlowHarness _h = new();

    public void Dispose() => _h.Dispose();

    private Task<IReadOnlyList<Pipelines.OutgoingMessage>> StartPartyAsync(string clientRequestId, params string[] members)
    {
        var command = new StartPartyMatchmakingCommand { ClientRequestId = clientRequestId, PartyId = "party-1", GameMode = "team-deathmatch" };
        command.Members.AddRange(members.Select(m => new PartyMember { AccountId = m }));
        return _h.SendAsync(MessageTypes.MatchesStartPartyMatchmaking, command);
    }

    [Fact]
    public async Task StartParty_ThreeMembers_OneTicketLeaderAnsweredMembersPushed()
    {
        await _h.OnlineAsync("bob");
        await _h.OnlineAsync("carol");

        var outgoing = await StartPartyAsync("p-1", "alice", "bob", "carol");

        var reply = FlowHarness.ReplyOf(outgoing);
        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal(["alice", "bob", "carol"], reply.Status().Players.Select(p => p.AccountId));
        var started = Assert.Single(_h.Matchmaker.Started);
        Assert.Equal(3, started.Players.Count);
        var pushes = FlowHarness.PushesOf(outgoing);
        Assert.Equal(["bob", "carol"], pushes.Select(p => p.Player).Order());
        Assert.All(pushes, p => Assert.Equal(reply.Status().TicketId, p.Status.TicketId));
    }

    [Fact]
    public async Task StartParty_Retry_SameTicketSubmittedOnce()
    {
        var first = FlowHarness.ReplyOf(await StartPartyAsync("p-1", "alice", "bob"));
        var retry = FlowHarness.ReplyOf(await StartPartyAsync("p-1", "alice", "bob"));

        Assert.Equal(first.Status().TicketId, retry.Status().TicketId);
        Assert.Single(_h.Matchmaker.Started);
    }

    [Fact]
    public async Task StartParty_SameRequestIdDifferentMembers_InvalidArgument()
    {
        await StartPartyAsync("p-1", "alice", "bob");
        var reply = FlowHarness.ReplyOf(await StartPartyAsync("p-1", "alice", "carol"));

        Assert.Equal(ResultCode.InvalidArgument, reply.Result.Code);
    }

    [Fact]
    public async Task StartParty_MemberAlreadyQueued_AlreadyQueuedAndOthersStayFree()
    {
        await _h.StartAsync("bob");

        var reply = FlowHarness.ReplyOf(await StartPartyAsync("p-1", "alice", "bob"));

        Assert.Equal(ResultCode.AlreadyQueued, reply.Result.Code);
        Assert.Contains("bob", reply.Result.Message, StringComparison.Ordinal);
        Assert.Equal(ResultCode.Ok, (await _h.StartAsync("alice", "solo-1")).Result.Code);
    }

    [Fact]
    public async Task StartParty_TooManyOrDuplicateMembers_InvalidArgument()
    {
        var eleven = Enumerable.Range(1, 11).Select(i => $"p{i}").ToArray();
        Assert.Equal(ResultCode.InvalidArgument, FlowHarness.ReplyOf(await StartPartyAsync("p-1", eleven)).Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, FlowHarness.ReplyOf(await StartPartyAsync("p-2", "alice", "alice")).Result.Code);
        Assert.Empty(_h.Matchmaker.Started);
    }

    [Fact]
    public async Task Cancel_OwnTicket_StoppedCancelledAndPartyPushed()
    {
        await _h.OnlineAsync("bob");
        var ticketId = FlowHarness.ReplyOf(await StartPartyAsync("p-1", "alice", "bob")).Status().TicketId;

        var outgoing = await _h.SendAsync(MessageTypes.MatchesCancelMatchmaking, new CancelMatchmakingRequest { TicketId = ticketId }, "alice");

        var reply = FlowHarness.ReplyOf(outgoing);
        Assert.Equal(MatchmakingState.Cancelled, reply.Status().State);
        Assert.Equal([ticketId], _h.Matchmaker.Stopped);
        Assert.Equal(MatchmakingState.Cancelled, Assert.Single(FlowHarness.PushesOf(outgoing), p => p.Player == "bob").Status.State);
        Assert.Equal(ResultCode.Ok, (await _h.StartAsync("bob", "solo-1")).Result.Code);
    }

    [Fact]
    public async Task Cancel_SomeoneElsesTicket_NotFound()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;

        var reply = FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesCancelMatchmaking, new CancelMatchmakingRequest { TicketId = ticketId }, "mallory"));

        Assert.Equal(ResultCode.NotFound, reply.Result.Code);
        Assert.Empty(_h.Matchmaker.Stopped);
    }

    [Fact]
    public async Task Cancel_Twice_SecondAnswersCancelledTicket()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        var cancel = new CancelMatchmakingRequest { TicketId = ticketId };
        await _h.SendAsync(MessageTypes.MatchesCancelMatchmaking, cancel, "alice");

        var again = FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesCancelMatchmaking, cancel, "alice"));

        Assert.Equal(MatchmakingState.Cancelled, again.Status().State);
        Assert.Single(_h.Matchmaker.Stopped);
    }

    [Fact]
    public async Task Accept_WhenAcceptanceRequired_ForwardedAndRecorded()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.PotentialMatchCreated, "ev-1", (ticketId, ["alice"])) with
        {
            MatchId = "m-1",
            AcceptanceRequired = true,
            AcceptanceTimeout = 10,
        }, CancellationToken.None);

        var reply = FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesAcceptMatch, new AcceptMatchRequest { TicketId = ticketId, Accept = true }, "alice"));

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal(MatchmakingState.RequiresAcceptance, reply.Status().State);
        Assert.True(Assert.Single(reply.Status().Players).Accepted);
        Assert.Equal(_h.Clock.GetUtcNow().AddSeconds(10).ToUnixTimeMilliseconds(), reply.Status().AcceptanceDeadlineUnixMs);
        Assert.Equal((ticketId, true), (_h.Matchmaker.Answers[0].TicketId, _h.Matchmaker.Answers[0].Accept));
    }

    [Fact]
    public async Task Accept_NotWaitingForAcceptance_FailedPrecondition()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;

        var reply = FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesAcceptMatch, new AcceptMatchRequest { TicketId = ticketId, Accept = true }, "alice"));

        Assert.Equal(ResultCode.FailedPrecondition, reply.Result.Code);
        Assert.Empty(_h.Matchmaker.Answers);
    }

    [Fact]
    public async Task GetStatus_NoTicket_EmptyStatus()
    {
        var reply = FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesGetMatchmakingStatus, new GetMatchmakingStatusRequest(), "alice"));

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Null(reply.Matchmaking.Status);
    }

    [Fact]
    public async Task GetStatus_Searching_CurrentTicket()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.MatchmakingSearching, "ev-1", (ticketId, ["alice"])) with { EstimatedWaitMillis = 42_000 }, CancellationToken.None);

        var reply = FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesGetMatchmakingStatus, new GetMatchmakingStatusRequest(), "alice"));

        Assert.Equal(MatchmakingState.Searching, reply.Status().State);
        Assert.Equal(42, reply.Status().EstimatedWaitSeconds);
    }

    [Fact]
    public async Task Disconnect_SearchingAndSessionCurrent_TicketCancelledPartyPushed()
    {
        await _h.OnlineAsync("bob");
        var ticketId = FlowHarness.ReplyOf(await StartPartyAsync("p-1", "alice", "bob")).Status().TicketId;

        var outgoing = await _h.SendAsync(MessageTypes.MatchesPlayerDisconnected, new PlayerDisconnectedNotice { AccountId = "alice", SessionId = "alice-s1" });

        Assert.Equal([ticketId], _h.Matchmaker.Stopped);
        var push = Assert.Single(FlowHarness.PushesOf(outgoing));
        Assert.Equal(("bob", MatchmakingState.Cancelled), (push.Player, push.Status.State));
        Assert.Contains("disconnected", push.Status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disconnect_PlayerReconnectedOnNewerSession_Ignored()
    {
        await _h.StartAsync("alice");
        await _h.OnlineAsync("alice", "s2");

        var outgoing = await _h.SendAsync(MessageTypes.MatchesPlayerDisconnected, new PlayerDisconnectedNotice { AccountId = "alice", SessionId = "alice-s1" });

        Assert.Empty(outgoing);
        Assert.Empty(_h.Matchmaker.Stopped);
        Assert.Equal(ResultCode.AlreadyQueued, (await _h.StartAsync("alice", "req-2")).Result.Code);
    }

    [Fact]
    public async Task Disconnect_RequiresAcceptance_NotCancelled()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.PotentialMatchCreated, "ev-1", (ticketId, ["alice"])) with { MatchId = "m", AcceptanceRequired = true, AcceptanceTimeout = 10 }, CancellationToken.None);

        await _h.SendAsync(MessageTypes.MatchesPlayerDisconnected, new PlayerDisconnectedNotice { AccountId = "alice", SessionId = "alice-s1" });

        Assert.Empty(_h.Matchmaker.Stopped);
    }
}
