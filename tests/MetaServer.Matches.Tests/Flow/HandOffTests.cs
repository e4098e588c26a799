using MetaServer.GameConfig;
using MetaServer.Matches.Service;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Tests.Flow;

public sealed class HandOffTests : IDisposable
{
    private readonly FlowHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Succeeded_DeliveredTwice_OneMatchRecordOneGameServerMatchWithBots()
    {
        await _h.OnlineAsync("alice");
        await _h.OnlineAsync("bob");
        var aliceTicket = (await _h.StartAsync("alice")).Status().TicketId;
        var bobTicket = (await _h.StartAsync("bob")).Status().TicketId;
        var succeeded = MatchHelpers.Succeeded(_h, "m-42", "ev-ok", (aliceTicket, ["alice"], "red"), (bobTicket, ["bob"], "blue"));

        var first = await _h.Events.HandleAsync(succeeded, CancellationToken.None);
        var second = await _h.Events.HandleAsync(succeeded, CancellationToken.None);

        Assert.Empty(second);
        var record = await _h.MatchAsync("m-42");
        Assert.NotNull(record);
        Assert.Equal(MatchRecordState.Created, record.State);
        Assert.Equal(_h.Queues.ForMatch("m-42"), record.MatchQueue);

        var onMatchQueue = Assert.Single(await _h.DrainAsync(_h.Queues.ForMatch("m-42")));
        Assert.Equal(MessageTypes.GameServerMatch, onMatchQueue.MessageType);
        var match = GameServerMatch.Parser.ParseFrom(onMatchQueue.Payload.Span);
        Assert.Equal("m-42", match.MatchId);
        Assert.Equal("team-deathmatch", match.GameMode);
        Assert.Contains(match.Map, new[] { "harbor", "canyon" });
        Assert.Equal("tdm", match.MatchmakingConfiguration);
        Assert.Equal("normal", match.GameProperties["difficulty"]);
        Assert.Equal(_h.Queues.ForMessageType(MessageTypes.MatchesGameServerReport), match.ResultsQueue);
        Assert.Equal(["red", "blue"], match.Teams.Select(t => t.Name).Order().Reverse());
        Assert.All(match.Teams, t => Assert.Equal(5, t.Players.Count));
        var humans = match.Teams.SelectMany(t => t.Players).Where(p => !p.Bot).ToList();
        Assert.Equal(["alice", "bob"], humans.Select(p => p.PlayerId).Order());
        Assert.All(humans, p => Assert.Equal("nick-" + p.PlayerId, p.Account.Nickname));
        Assert.All(humans, p => Assert.Equal("hero-of-" + p.PlayerId, p.Loadout.Hero));
        Assert.Equal(aliceTicket, humans.Single(p => p.PlayerId == "alice").TicketId);
        var bots = match.Teams.SelectMany(t => t.Players).Where(p => p.Bot).ToList();
        Assert.Equal(8, bots.Count);
        Assert.All(bots, b => Assert.StartsWith("bot-", b.PlayerId, StringComparison.Ordinal));
        Assert.Equal(8, bots.Select(b => b.PlayerId).Distinct().Count());
        Assert.All(bots, b => Assert.Equal(1000, b.Skill));
        Assert.All(bots, b => Assert.Equal(FlowHarness.Config.Starting.Loadout.HeroId, b.Loadout.Hero));
        Assert.All(bots, b => Assert.False(string.IsNullOrEmpty(b.Nickname)));

        var placement = Assert.Single(await _h.DrainAsync(_h.Queues.ForMessageType(MessageTypes.GameServerPlacement)));
        var placed = GameServerPlacement.Parser.ParseFrom(placement.Payload.Span);
        Assert.Equal(("m-42", _h.Queues.ForMatch("m-42")), (placed.MatchId, placed.MatchQueue));

        var pushes = FlowHarness.PushesOf(first);
        Assert.Equal(["alice", "bob"], pushes.Select(p => p.Player).Order());
        var alicePush = pushes.Single(p => p.Player == "alice").Status;
        Assert.Equal(MatchmakingState.Completed, alicePush.State);
        Assert.Equal(("m-42", "red", match.Map), (alicePush.Assignment.MatchId, alicePush.Assignment.Team, alicePush.Assignment.Map));
        Assert.Equal(ResultCode.InMatch, (await _h.StartAsync("bob", "req-2")).Result.Code);
    }

    [Fact]
    public async Task Succeeded_AfterRecordCreatedButBeforeHandOff_RedeliverySendsTheMatch()
    {
        var ticketId = (await _h.StartAsync("alice")).Status().TicketId;
        var succeeded = MatchHelpers.Succeeded(_h, "m-7", "ev-ok", (ticketId, ["alice"], "red"));
        await _h.Events.HandleAsync(succeeded, CancellationToken.None);
        Assert.Single(await _h.DrainAsync(_h.Queues.ForMatch("m-7")));

        // Simulate a crash between creating the record and handing off: the tickets were never completed.
        var (ticket, version) = await _h.Get<FlowStore>().GetTicketAsync(ticketId, CancellationToken.None);
        await _h.Get<FlowStore>().TryWriteTicketAsync(ticket! with { State = MatchmakingState.Placing }, version, CancellationToken.None);
        await _h.Transport.DeleteQueueAsync(_h.Queues.ForMatch("m-7"));

        await _h.Events.HandleAsync(succeeded, CancellationToken.None);

        var resent = GameServerMatch.Parser.ParseFrom(Assert.Single(await _h.DrainAsync(_h.Queues.ForMatch("m-7"))).Payload.Span);
        Assert.Equal((await _h.MatchAsync("m-7"))!.Map, resent.Map);
    }

    [Fact]
    public async Task Succeeded_GetStatusAfterMatchCompleted_Empty()
    {
        var matchId = await MatchHelpers.MatchAliceAsync(_h);
        var status = FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesGetMatchmakingStatus, new GetMatchmakingStatusRequest(), "alice")).Status();
        Assert.Equal(matchId, status.Assignment.MatchId);

        _h.Clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Null(FlowHarness.ReplyOf(await _h.SendAsync(MessageTypes.MatchesGetMatchmakingStatus, new GetMatchmakingStatusRequest(), "alice")).Matchmaking.Status);
    }

    [Fact]
    public void LayOutTeams_FreeForAllFromOneMatchmakerTeam_OnePlayerPerTeam()
    {
        var mode = new GameModeDef("ffa", "FFA", Teams: 4, PlayersPerTeam: 1);
        var humans = new[] { "a", "b", "c" }.Select(id => (new MatchParticipant { PlayerId = id }, (string?)"players")).ToList();

        var teams = MatchmakingEventApplier.LayOutTeams(mode, humans, ["players"]);

        Assert.Equal(["team-1", "team-2", "team-3", "team-4"], teams.Select(t => t.Name));
        Assert.Equal(["a", "b", "c"], teams.Take(3).Select(t => Assert.Single(t.Players).PlayerId));
        Assert.Empty(teams[3].Players);
    }

    [Fact]
    public void LayOutTeams_MatchmakerTeamsFit_KeptAndToppedUp()
    {
        var mode = new GameModeDef("tdm", "TDM", Teams: 2, PlayersPerTeam: 5);
        var humans = new (MatchParticipant, string?)[] { (new MatchParticipant { PlayerId = "a" }, "blue") };

        var teams = MatchmakingEventApplier.LayOutTeams(mode, humans, ["red", "blue"]);

        Assert.Equal(["blue", "red"], teams.Select(t => t.Name));
        Assert.Equal("a", Assert.Single(teams[0].Players).PlayerId);
    }
}
