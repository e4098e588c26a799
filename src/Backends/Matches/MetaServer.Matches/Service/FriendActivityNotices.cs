using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Service;

/// <summary>
/// The <c>friends.player-activity</c> notices the matches service sends so the friends service can show friends as
/// IN_QUEUE / IN_MATCH: on every ticket change (all the ticket's players) and when a match's results are in (IDLE).
/// The friends service keeps the newest per player by time, so each notice carries the time of the change it reports.
/// Without a friends service the queue does not exist and the pipeline drops them (logged).
/// </summary>
internal static class FriendActivityNotices
{
    /// <summary>Notices for every player of <paramref name="ticket"/> as it is now.</summary>
    public static IReadOnlyList<OutgoingMessage> ForTicket(QueueNames queueNames, string deploymentVersion, TicketRecord ticket, DateTimeOffset now)
    {
        var (activity, at) = ticket.State switch
        {
            MatchmakingState.Completed when ticket.MatchId is not null => (PlayerActivity.InMatch, ticket.LastEventTime ?? now),
            _ when ticket.IsEnded => (PlayerActivity.Idle, now),
            _ => (PlayerActivity.InQueue, now),
        };
        return [.. ticket.Members.Select(m => Notice(queueNames, deploymentVersion, m.AccountId, activity, at, now))];
    }

    public static OutgoingMessage Notice(QueueNames queueNames, string deploymentVersion, string accountId, PlayerActivity activity, DateTimeOffset at, DateTimeOffset now) =>
        new(queueNames.ForMessageType(MessageTypes.FriendsPlayerActivity), new MessageEnvelope
        {
            MessageType = MessageTypes.FriendsPlayerActivity,
            MessageId = Guid.NewGuid().ToString("N"),
            PlayerId = accountId,
            DeploymentVersion = deploymentVersion,
            SentAt = now,
            Payload = new PlayerActivityNotice { AccountId = accountId, Activity = activity, AtUnixMs = at.ToUnixTimeMilliseconds() }.ToByteArray(),
        });
}
