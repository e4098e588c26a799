using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.Offline;

namespace MetaServer.Matchmaking.Tests.Offline;

public sealed class OfflineMatchmakerTests
{
    private const string Arn = "arn:aws:gamelift:local:000000000000:matchmakingconfiguration/duel";

    [Fact]
    public async Task TickAsync_NewTicket_EmitsSearchingWithTicketAndNoEstimate()
    {
        var h = new OfflineHarness(acceptanceRequired: false, customEventData: "season-1");
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a"));
        Assert.Equal(OfflineTicketStatus.Queued, h.Matchmaker.GetTicketStatus("t-a"));
        Assert.Empty(await h.DrainEventsAsync());

        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Matchmaker.TickAsync();

        var e = Assert.Single(await h.DrainEventsAsync());
        Assert.Equal(MatchmakingEventType.MatchmakingSearching, e.Type);
        Assert.Equal([Arn], e.Resources);
        Assert.Equal("local", e.Region);
        Assert.Equal("000000000000", e.Account);
        Assert.Equal(h.Clock.GetUtcNow(), e.Time);
        Assert.Null(e.EstimatedWaitMillis);
        Assert.Equal("season-1", e.CustomEventData);
        var ticket = Assert.Single(e.Tickets);
        Assert.Equal("t-a", ticket.TicketId);
        Assert.Equal(h.Clock.GetUtcNow() - TimeSpan.FromSeconds(1), ticket.StartTime);
        Assert.Equal("p-a", Assert.Single(ticket.Players).PlayerId);
        Assert.Equal("p-a", Assert.Single(e.GameSessionInfo!.Players).PlayerId);
        Assert.Equal(OfflineTicketStatus.Searching, h.Matchmaker.GetTicketStatus("t-a"));
    }

    [Fact]
    public async Task TickAsync_PairWithoutAcceptance_EmitsPotentialMatchThenSucceededOnSyntheticSession()
    {
        var h = new OfflineHarness(acceptanceRequired: false);
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a"));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-b", "p-b"));

        await h.Matchmaker.TickAsync();

        var events = await h.DrainEventsAsync();
        Assert.Equal(
            [MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.PotentialMatchCreated, MatchmakingEventType.MatchmakingSucceeded],
            events.Select(e => e.Type));
        var potential = events[2];
        Assert.False(potential.AcceptanceRequired);
        Assert.Null(potential.AcceptanceTimeout);
        Assert.NotNull(potential.MatchId);
        Assert.Equal(["t-a", "t-b"], potential.Tickets.Select(t => t.TicketId));
        Assert.Equal(["red", "blue"], potential.Tickets.Select(t => t.Players[0].Team));
        Assert.Equal([("p-a", "red"), ("p-b", "blue")], potential.GameSessionInfo!.Players.Select(p => (p.PlayerId, p.Team!)));

        var succeeded = events[3];
        Assert.Equal(potential.MatchId, succeeded.MatchId);
        Assert.Equal(h.Matchmaker.GameSessionArn(potential.MatchId!), succeeded.GameSessionInfo!.GameSessionArn);
        Assert.Null(succeeded.GameSessionInfo.IpAddress);
        Assert.Null(succeeded.GameSessionInfo.Port);
        var sessions = succeeded.GameSessionInfo.Players;
        Assert.All(sessions, p => Assert.StartsWith("psess-", p.PlayerSessionId, StringComparison.Ordinal));
        Assert.Equal(2, sessions.Select(p => p.PlayerSessionId).Distinct().Count());
        Assert.Equal(sessions[0].PlayerSessionId, succeeded.Tickets[0].Players[0].PlayerSessionId);
        Assert.Equal("red", succeeded.Tickets[0].Players[0].Team);
        Assert.Equal(OfflineTicketStatus.Completed, h.Matchmaker.GetTicketStatus("t-a"));
        Assert.Equal(OfflineTicketStatus.Completed, h.Matchmaker.GetTicketStatus("t-b"));

        // Completed tickets free their players.
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-c", "p-a"));
    }

    [Fact]
    public async Task TickAsync_SeveralEventsInOneTick_EventTimesStrictlyIncreaseByAtLeastOneMillisecond()
    {
        // Consumers apply a ticket's events by time (SQS may deliver them in any order), so one tick's Searching,
        // PotentialMatchCreated and Succeeded must not share a timestamp.
        var h = new OfflineHarness(acceptanceRequired: false);
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a"));
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-b", "p-b"));

        await h.Matchmaker.TickAsync();

        var times = (await h.DrainEventsAsync()).Select(e => e.Time).ToList();
        Assert.Equal(4, times.Count);
        Assert.Equal(h.Clock.GetUtcNow(), times[0]);
        for (var i = 1; i < times.Count; i++)
        {
            Assert.True(times[i] - times[i - 1] >= TimeSpan.FromMilliseconds(1), $"event {i} at {times[i]:O} follows {times[i - 1]:O}");
        }
    }

    [Fact]
    public async Task AcceptMatchAsync_AllAccept_EmitsAcceptEventsThenCompletedAndSucceeded()
    {
        var h = await StartPairAsync(acceptanceRequired: true);
        var potential = Assert.Single(await h.DrainEventsAsync(), e => e.Type == MatchmakingEventType.PotentialMatchCreated);
        Assert.True(potential.AcceptanceRequired);
        Assert.Equal(20, potential.AcceptanceTimeout);
        Assert.Equal(OfflineTicketStatus.RequiresAcceptance, h.Matchmaker.GetTicketStatus("t-a"));

        await h.Matchmaker.AcceptMatchAsync("t-a", ["p-a"], accept: true);
        await h.Matchmaker.AcceptMatchAsync("t-b", ["p-b"], accept: true);

        var events = await h.DrainEventsAsync();
        Assert.Equal(
            [MatchmakingEventType.AcceptMatch, MatchmakingEventType.AcceptMatch, MatchmakingEventType.AcceptMatchCompleted, MatchmakingEventType.MatchmakingSucceeded],
            events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(potential.MatchId, e.MatchId));
        Assert.Equal([true, null], events[0].Tickets.Select(t => t.Players[0].Accepted));
        Assert.Equal([true, true], events[1].Tickets.Select(t => t.Players[0].Accepted));
        Assert.Equal(MatchAcceptanceOutcome.Accepted, events[2].Acceptance);
        Assert.Equal(OfflineTicketStatus.Completed, h.Matchmaker.GetTicketStatus("t-b"));
    }

    [Fact]
    public async Task AcceptMatchAsync_OneRejects_AcceptedTicketSearchesAgainAndRejectingTicketIsCancelled()
    {
        var h = await StartPairAsync(acceptanceRequired: true);
        await h.DrainEventsAsync();

        await h.Matchmaker.AcceptMatchAsync("t-a", ["p-a"], accept: true);
        await h.Matchmaker.AcceptMatchAsync("t-b", ["p-b"], accept: false);

        var events = await h.DrainEventsAsync();
        Assert.Equal(
            [MatchmakingEventType.AcceptMatch, MatchmakingEventType.AcceptMatch, MatchmakingEventType.AcceptMatchCompleted, MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.MatchmakingCancelled],
            events.Select(e => e.Type));
        Assert.Equal([true, false], events[1].Tickets.Select(t => t.Players[0].Accepted));
        Assert.Equal(MatchAcceptanceOutcome.Rejected, events[2].Acceptance);
        Assert.Equal("t-a", Assert.Single(events[3].Tickets).TicketId);
        Assert.Equal("t-b", Assert.Single(events[4].Tickets).TicketId);
        Assert.Equal("Cancelled", events[4].Reason);
        Assert.Equal(OfflineTicketStatus.Searching, h.Matchmaker.GetTicketStatus("t-a"));
        Assert.Equal(OfflineTicketStatus.Cancelled, h.Matchmaker.GetTicketStatus("t-b"));
    }

    [Fact]
    public async Task TickAsync_AcceptanceTimesOut_NonRespondingTicketCancelledAndAcceptedTicketSearches()
    {
        var h = await StartPairAsync(acceptanceRequired: true);
        await h.DrainEventsAsync();
        await h.Matchmaker.AcceptMatchAsync("t-a", ["p-a"], accept: true);

        h.Clock.Advance(TimeSpan.FromSeconds(19));
        await h.Matchmaker.TickAsync();
        Assert.Equal([MatchmakingEventType.AcceptMatch], (await h.DrainEventsAsync()).Select(e => e.Type));

        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Matchmaker.TickAsync();

        var events = await h.DrainEventsAsync();
        Assert.Equal(
            [MatchmakingEventType.AcceptMatchCompleted, MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.MatchmakingCancelled],
            events.Select(e => e.Type));
        Assert.Equal(MatchAcceptanceOutcome.TimedOut, events[0].Acceptance);
        Assert.Equal("t-b", Assert.Single(events[2].Tickets).TicketId);
        Assert.Equal(OfflineTicketStatus.Searching, h.Matchmaker.GetTicketStatus("t-a"));
        Assert.Equal(OfflineTicketStatus.Cancelled, h.Matchmaker.GetTicketStatus("t-b"));
    }

    [Fact]
    public async Task StopMatchmakingAsync_SearchingTicket_EmitsCancelledOnceAndFreesPlayers()
    {
        var h = new OfflineHarness(acceptanceRequired: false);
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a", "p-b"));
        await h.Matchmaker.TickAsync();

        await h.Matchmaker.StopMatchmakingAsync("t-a");
        await h.Matchmaker.StopMatchmakingAsync("t-a");
        await h.Matchmaker.StopMatchmakingAsync("unknown");

        var events = await h.DrainEventsAsync();
        Assert.Equal([MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.MatchmakingCancelled], events.Select(e => e.Type));
        Assert.Equal("Cancelled", events[1].Reason);
        Assert.Equal("Cancelled by request.", events[1].Message);
        Assert.Equal(["p-a", "p-b"], events[1].Tickets[0].Players.Select(p => p.PlayerId));
        Assert.Equal(OfflineTicketStatus.Cancelled, h.Matchmaker.GetTicketStatus("t-a"));
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-b", "p-a"));
    }

    [Fact]
    public async Task TickAsync_PastRequestTimeout_EmitsTimedOut()
    {
        var h = new OfflineHarness(acceptanceRequired: false, requestTimeoutSeconds: 30);
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a"));
        await h.Matchmaker.TickAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(29));
        await h.Matchmaker.TickAsync();
        Assert.Equal(OfflineTicketStatus.Searching, h.Matchmaker.GetTicketStatus("t-a"));

        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Matchmaker.TickAsync();

        var events = await h.DrainEventsAsync();
        Assert.Equal([MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.MatchmakingTimedOut], events.Select(e => e.Type));
        Assert.Equal("TimedOut", events[1].Reason);
        Assert.Equal("Removed from matchmaking due to timing out.", events[1].Message);
        Assert.Equal(OfflineTicketStatus.TimedOut, h.Matchmaker.GetTicketStatus("t-a"));
    }

    [Fact]
    public async Task TickAsync_BuilderThrows_SearchingTicketsEndFailed()
    {
        var h = new OfflineHarness(acceptanceRequired: false);
        Assert.Single(h.Builders.Created).Override = _ => throw new InvalidOperationException("boom");
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a"));

        await h.Matchmaker.TickAsync();

        var events = await h.DrainEventsAsync();
        Assert.Equal([MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.MatchmakingFailed], events.Select(e => e.Type));
        Assert.Equal("UNEXPECTED_ERROR", events[1].Reason);
        Assert.Equal(OfflineTicketStatus.Failed, h.Matchmaker.GetTicketStatus("t-a"));
    }

    [Fact]
    public async Task StartMatchmakingAsync_BadRequests_ThrowWithGameLiftCodes()
    {
        var h = new OfflineHarness(acceptanceRequired: false);
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a"));

        async Task<MatchmakerErrorCode> Code(MatchmakingTicketRequest request) =>
            (await Assert.ThrowsAsync<MatchmakerException>(() => h.Matchmaker.StartMatchmakingAsync(request))).Code;

        Assert.Equal(MatchmakerErrorCode.InvalidRequest, await Code(OfflineHarness.Ticket("t-a", "p-z")));
        Assert.Equal(MatchmakerErrorCode.NotFound, await Code(OfflineHarness.Ticket("t-x", "p-x") with { ConfigurationName = "nope" }));
        Assert.Equal(MatchmakerErrorCode.InvalidRequest, await Code(OfflineHarness.Ticket("t-x")));
        Assert.Equal(MatchmakerErrorCode.InvalidRequest, await Code(OfflineHarness.Ticket("t-x", [.. Enumerable.Range(0, 11).Select(i => $"p{i}")])));
        Assert.Equal(MatchmakerErrorCode.InvalidRequest, await Code(OfflineHarness.Ticket("t-x", "p-x", "p-x")));
        Assert.Equal(MatchmakerErrorCode.InvalidRequest, await Code(OfflineHarness.Ticket("t-x", "p-x", "p-a")));
        Assert.Equal(MatchmakerErrorCode.InvalidRequest, await Code(OfflineHarness.Ticket("bad id!", "p-x")));
        await h.Matchmaker.TickAsync();
        Assert.Single(await h.DrainEventsAsync());
    }

    [Fact]
    public async Task AcceptMatchAsync_WrongTicketOrPlayer_ThrowsWithGameLiftCodes()
    {
        var h = await StartPairAsync(acceptanceRequired: true);
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-c", "p-c"));

        Assert.Equal(MatchmakerErrorCode.NotFound, (await Assert.ThrowsAsync<MatchmakerException>(() => h.Matchmaker.AcceptMatchAsync("nope", ["p-a"], true))).Code);
        Assert.Equal(MatchmakerErrorCode.InvalidRequest, (await Assert.ThrowsAsync<MatchmakerException>(() => h.Matchmaker.AcceptMatchAsync("t-c", ["p-c"], true))).Code);
        Assert.Equal(MatchmakerErrorCode.InvalidRequest, (await Assert.ThrowsAsync<MatchmakerException>(() => h.Matchmaker.AcceptMatchAsync("t-a", ["p-b"], true))).Code);
    }

    [Fact]
    public async Task StartMatchmakingAsync_ConcurrentCallers_EveryTicketQueuedOnceAndPaired()
    {
        var h = new OfflineHarness(acceptanceRequired: false);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket($"t-{i}", $"p-{i}")))));

        await h.Matchmaker.TickAsync();

        var events = await h.DrainEventsAsync();
        Assert.Equal(40, events.Count(e => e.Type == MatchmakingEventType.MatchmakingSearching));
        var succeeded = events.Where(e => e.Type == MatchmakingEventType.MatchmakingSucceeded).ToList();
        Assert.Equal(20, succeeded.Count);
        Assert.Equal(40, succeeded.SelectMany(e => e.Tickets).Select(t => t.TicketId).Distinct().Count());
    }

    private static async Task<OfflineHarness> StartPairAsync(bool acceptanceRequired)
    {
        var h = new OfflineHarness(acceptanceRequired);
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-a", "p-a"));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.Matchmaker.StartMatchmakingAsync(OfflineHarness.Ticket("t-b", "p-b"));
        await h.Matchmaker.TickAsync();
        return h;
    }
}
