using Google.Protobuf;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Service;

/// <summary>
/// Builds client events as outgoing messages to the frontends holding the recipients' sessions (the shape
/// <see cref="PlayerEventPublisher"/> sends); offline recipients get nothing. Sent by the pipeline after the handler,
/// so a redelivered message sends them again (clients treat events as state, so a repeat is harmless).
/// </summary>
internal sealed class FriendPushes(ISessionRegistry sessions, IOptions<MetaServerOptions> options, TimeProvider timeProvider)
{
    /// <summary>Pushes for recipients whose sessions are looked up here.</summary>
    public async Task<IReadOnlyList<OutgoingMessage>> ToAsync(IReadOnlyList<(string Recipient, Envelope Event)> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var live = await sessions.LookupManyAsync([.. events.Select(e => e.Recipient).Distinct(StringComparer.Ordinal)], cancellationToken);
        return To(events, live);
    }

    /// <summary>Pushes for recipients whose sessions are already known (absent: offline, nothing sent).</summary>
    public IReadOnlyList<OutgoingMessage> To(IEnumerable<(string Recipient, Envelope Event)> events, IReadOnlyDictionary<string, SessionLocation> live)
    {
        var messages = new List<OutgoingMessage>();
        foreach (var (recipient, clientEvent) in events)
        {
            if (!live.TryGetValue(recipient, out var session))
            {
                continue;
            }

            messages.Add(new OutgoingMessage(session.ReplyQueue, new MessageEnvelope
            {
                MessageType = PlayerEventPublisher.ClientEventMessageType,
                MessageId = Guid.NewGuid().ToString("N"),
                PlayerId = recipient,
                SessionId = session.SessionId,
                DeploymentVersion = options.Value.DeploymentVersion,
                SentAt = timeProvider.GetUtcNow(),
                Payload = clientEvent.ToByteArray(),
            }));
        }

        return messages;
    }
}
