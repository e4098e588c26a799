using Google.Protobuf;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Service;

/// <summary>
/// Builds <see cref="MatchmakingUpdateEvent"/> pushes as outgoing messages to the frontends holding the players'
/// sessions (the shape <see cref="PlayerEventPublisher"/> sends); offline players get nothing.
/// </summary>
internal sealed class PlayerPushes(ISessionRegistry sessions, IOptions<MetaServerOptions> options, TimeProvider timeProvider, QueueNames queueNames)
{
    /// <summary>The <c>friends.player-activity</c> notices for every player of the ticket (see <see cref="FriendActivityNotices"/>).</summary>
    public IReadOnlyList<OutgoingMessage> Activity(TicketRecord ticket) =>
        FriendActivityNotices.ForTicket(queueNames, options.Value.DeploymentVersion, ticket, timeProvider.GetUtcNow());

    /// <summary>The <c>friends.player-activity</c> notice that the player is no longer queued or in a match (e.g. freed by an abandoned match).</summary>
    public OutgoingMessage Idle(string accountId)
    {
        var now = timeProvider.GetUtcNow();
        return FriendActivityNotices.Notice(queueNames, options.Value.DeploymentVersion, accountId, PlayerActivity.Idle, now, now);
    }

    public Task<IReadOnlyList<OutgoingMessage>> UpdatesAsync(TicketRecord ticket, IReadOnlyCollection<string> playerIds, MatchRecord? match, CancellationToken cancellationToken) =>
        UpdatesAsync(playerIds, playerId => TicketStatuses.For(ticket, playerId, match), cancellationToken);

    /// <summary>A <see cref="MatchmakingUpdateEvent"/> with <paramref name="statusOf"/>(player) to each online player.</summary>
    public async Task<IReadOnlyList<OutgoingMessage>> UpdatesAsync(IReadOnlyCollection<string> playerIds, Func<string, MatchmakingStatus> statusOf, CancellationToken cancellationToken)
    {
        if (playerIds.Count == 0)
        {
            return [];
        }

        var live = await sessions.LookupManyAsync(playerIds, cancellationToken);
        var messages = new List<OutgoingMessage>();
        foreach (var playerId in playerIds)
        {
            if (!live.TryGetValue(playerId, out var session))
            {
                continue;
            }

            var clientEvent = new Envelope { MatchmakingUpdate = new MatchmakingUpdateEvent { Status = statusOf(playerId) } };
            messages.Add(new OutgoingMessage(session.ReplyQueue, new MessageEnvelope
            {
                MessageType = PlayerEventPublisher.ClientEventMessageType,
                MessageId = Guid.NewGuid().ToString("N"),
                PlayerId = playerId,
                SessionId = session.SessionId,
                DeploymentVersion = options.Value.DeploymentVersion,
                SentAt = timeProvider.GetUtcNow(),
                Payload = clientEvent.ToByteArray(),
            }));
        }

        return messages;
    }
}
