using MetaServer.Matchmaking.Events;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Tests.Flow;

public sealed class MatchmakingEventTests : IDisposable
{
    private readonly FlowHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<string> PartyTicketAsync(params string[] members)
    {
        var command = new StartPartyMatchmakingCommand { ClientRequestId = "p-1", PartyId = "party-" + members[0], GameMode = "team-deathmatch" };
        command.Members.AddRange(members.Select(m => new PartyMember { AccountId = m }));
        return FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesStartPartyMatchmaking, command)).Status().TicketId;
    }

    private async Task<MatchmakingStatus> StatusAsync(string player) =>
        FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesGetMatchmakingStatus, new GetMatchmakingStatusRequest(), player)).Matchmaking.Status;

    [Fact]
    public async Task HandleAsync_Searching_PushedToEveryOnlinePlayerOnTicket()
    {
        await _h.OnlineAsync("alice");
        await _h.OnlineAsync("bob");
        var ticketId = await PartyTicketAsync("alice", "bob", "carol");

        var outgoing = await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.MatchmakingSearching, "ev-1", (ticketId, ["alice", "bob", "carol"])), CancellationToken.None);

        var pushes = FlowHarness.PushesOf(outgoing);
        Assert.Equal(["alice", "bob"], pushes.Select(p => p.Player).Order());
        Assert.All(pushes, p => Assert.Equal(MatchmakingState.Searching, p.Status.State));
        Assert.All(outgoing.Where(o => o.Envelope.MessageType != MessageTypes.FriendsPlayerActivity), o => Assert.Equal(FlowHarness.PushQueue(o.Envelope.PlayerId!), o.QueueName));
        var activity = outgoing.Where(o => o.Envelope.MessageType == MessageTypes.FriendsPlayerActivity)
            .Select(o => (o.QueueName, Notice: PlayerActivityNotice.Parser.ParseFrom(o.Envelope.Payload.Span)))
            .ToList();
        Assert.Equal(["alice", "bob", "carol"], activity.Select(a => a.Notice.AccountId).Order());
        Assert.All(activity, a => Assert.Equal((_h.Queues.ForMessageType(MessageTypes.FriendsPlayerActivity), PlayerActivity.InQueue), (a.QueueName, a.Notice.Activity)));
    }

    [Fact]
    public async Task HandleAsync_SameEventTwice_AppliedOnce()
    {
        await _h.OnlineAsync("alice");
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        var searching = _h.Event(MatchmakingEventType.MatchmakingSearching, "ev-1", (ticketId, ["alice"]));

        Assert.NotEmpty(await _h.Events.HandleAsync(searching, CancellationToken.None));
        Assert.Empty(await _h.Events.HandleAsync(searching, CancellationToken.None));
    }

    [Fact]
    public async Task HandleAsync_OlderEventAfterNewer_Ignored()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        var early = _h.Event(MatchmakingEventType.MatchmakingSearching, "ev-1", (ticketId, ["alice"]));
        _h.Clock.Advance(TimeSpan.FromSeconds(5));
        var later = _h.Event(MatchmakingEventType.PotentialMatchCreated, "ev-2", (ticketId, ["alice"])) with { MatchId = "m", AcceptanceRequired = true, AcceptanceTimeout = 30 };

        await _h.Events.HandleAsync(later, CancellationToken.None);
        await _h.Events.HandleAsync(early, CancellationToken.None);

        Assert.Equal(MatchmakingState.RequiresAcceptance, (await StatusAsync("alice")).State);
    }

    [Fact]
    public async Task HandleAsync_SearchingAfterTimedOut_TicketStaysEndedAndPlayerFree()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.MatchmakingTimedOut, "ev-2", (ticketId, ["alice"])), CancellationToken.None);
        _h.Clock.Advance(TimeSpan.FromSeconds(1));
        await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.MatchmakingSearching, "ev-3", (ticketId, ["alice"])), CancellationToken.None);

        Assert.Equal(MatchmakingState.TimedOut, (await StatusAsync("alice")).State);
        Assert.Equal(ResultCode.Ok, (await _h.StartAsync("alice", "req-2")).Result.Code);
    }

    [Fact]
    public async Task HandleAsync_AcceptanceRejected_RejectingTicketCancelledAcceptingTicketSearchesAgain()
    {
        var aliceTicket = (await _h.StartAsync("alice")).Status().TicketId;
        var bobTicket = (await _h.StartAsync("bob")).Status().TicketId;
        await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.PotentialMatchCreated, "ev-1", (aliceTicket, ["alice"]), (bobTicket, ["bob"])) with
        {
            MatchId = "m", AcceptanceRequired = true, AcceptanceTimeout = 30,
        }, CancellationToken.None);
        var completed = new MatchmakingEvent
        {
            Type = MatchmakingEventType.AcceptMatchCompleted,
            EventId = "ev-2",
            Time = _h.Clock.GetUtcNow(),
            Resources = [],
            Acceptance = MatchAcceptanceOutcome.Rejected,
            Tickets =
            [
                new MatchmakingEventTicket { TicketId = aliceTicket, Players = [new MatchmakingEventPlayer { PlayerId = "alice", Accepted = true }] },
                new MatchmakingEventTicket { TicketId = bobTicket, Players = [new MatchmakingEventPlayer { PlayerId = "bob", Accepted = false }] },
            ],
        };

        await _h.Events.HandleAsync(completed, CancellationToken.None);

        Assert.Equal(MatchmakingState.Searching, (await StatusAsync("alice")).State);
        var bob = await StatusAsync("bob");
        Assert.Equal(MatchmakingState.Cancelled, bob.State);
        Assert.Contains("rejected", bob.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_EventForUnknownTicket_Ignored()
    {
        var outgoing = await _h.Events.HandleAsync(_h.Event(MatchmakingEventType.MatchmakingSearching, "ev-1", ("t-unknown", ["x"])), CancellationToken.None);

        Assert.Empty(outgoing);
    }
}
