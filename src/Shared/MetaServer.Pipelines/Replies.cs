using MetaServer.Messaging;

namespace MetaServer.Pipelines;

public static class Replies
{
    /// <summary>
    /// Builds the reply to a request: sent to the request's reply-to queue with its correlation,
    /// player, session and trace ids. Returns an empty list when the request asked for no reply.
    /// </summary>
    public static IReadOnlyList<OutgoingMessage> To(IncomingMessage request, string messageType, ReadOnlyMemory<byte> payload, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var source = request.Envelope;
        if (source.ReplyTo is null)
        {
            return [];
        }

        return
        [
            new OutgoingMessage(source.ReplyTo, new MessageEnvelope
            {
                MessageType = messageType,
                MessageId = Guid.NewGuid().ToString("N"),
                CorrelationId = source.CorrelationId,
                PlayerId = source.PlayerId,
                SessionId = source.SessionId,
                DeploymentVersion = source.DeploymentVersion,
                TraceId = source.TraceId,
                SentAt = timeProvider.GetUtcNow(),
                Payload = payload,
            }),
        ];
    }
}
