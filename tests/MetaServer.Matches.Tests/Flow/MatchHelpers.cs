using MetaServer.Matchmaking.Events;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Tests.Flow;

internal static class MatchHelpers
{
    /// <summary>Queues alice and delivers a MatchmakingSucceeded for her ticket; returns the match id.</summary>
    public static async Task<string> MatchAliceAsync(FlowHarness h)
    {
        var ticketId = (await h.StartAsync("alice")).Matchmaking.Status.TicketId;
        await h.Events.HandleAsync(Succeeded(h, "m-1", "ev-ok", (ticketId, ["alice"], "red")), CancellationToken.None);
        return "m-1";
    }

    public static MatchmakingEvent Succeeded(FlowHarness h, string matchId, string eventId, params (string TicketId, string[] Players, string Team)[] tickets)
    {
        var players = tickets.SelectMany(t => t.Players.Select(p => new MatchmakingEventPlayer { PlayerId = p, Team = t.Team })).ToList();
        return h.Event(MatchmakingEventType.MatchmakingSucceeded, eventId, [.. tickets.Select(t => (t.TicketId, t.Players))]) with
        {
            MatchId = matchId,
            GameSessionInfo = new MatchmakingEventGameSession { Players = players },
        };
    }

    public static MatchmakingStatus Status(this Envelope reply) => reply.Matchmaking.Status;
}
