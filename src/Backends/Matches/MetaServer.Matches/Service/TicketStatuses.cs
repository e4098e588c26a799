using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Service;

/// <summary>Builds the client's <see cref="MatchmakingStatus"/> of a ticket as one of its players sees it.</summary>
internal static class TicketStatuses
{
    public static MatchmakingStatus For(TicketRecord ticket, string accountId, MatchRecord? match)
    {
        var status = new MatchmakingStatus
        {
            TicketId = ticket.TicketId,
            GameMode = ticket.GameMode,
            State = ticket.State,
            StartedAtUnixMs = ticket.CreatedAt.ToUnixTimeMilliseconds(),
            EstimatedWaitSeconds = ticket.State == MatchmakingState.Searching ? ticket.EstimatedWaitSeconds : 0,
            AcceptanceDeadlineUnixMs = ticket.State == MatchmakingState.RequiresAcceptance && ticket.AcceptanceDeadline is { } deadline
                ? deadline.ToUnixTimeMilliseconds()
                : 0,
            Reason = ticket.Reason ?? string.Empty,
        };
        foreach (var member in ticket.Members)
        {
            status.Players.Add(new TicketPlayer { AccountId = member.AccountId, Nickname = member.Nickname, Accepted = member.Accepted });
        }

        if (ticket.MatchId is not null && ticket.State is MatchmakingState.Placing or MatchmakingState.Completed)
        {
            status.Assignment = new MatchAssignment
            {
                MatchId = ticket.MatchId,
                Map = ticket.Map ?? match?.Map ?? string.Empty,
                Team = ticket.Members.Find(m => m.AccountId == accountId)?.Team ?? string.Empty,
                GameServerAddress = match?.GameServerAddress ?? string.Empty,
            };
        }

        return status;
    }

    public static bool IsOver(MatchRecord match) =>
        match.State is MatchRecordState.Completed or MatchRecordState.Abandoned;
}
