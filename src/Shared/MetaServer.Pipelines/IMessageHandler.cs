using MetaServer.Messaging;

namespace MetaServer.Pipelines;

/// <summary>A message taken from a request queue, as a consumer sees it.</summary>
public sealed record IncomingMessage(MessageEnvelope Envelope, string QueueName, int ReceiveCount);

/// <summary>A message a consumer wants sent once it has handled its input.</summary>
public sealed record OutgoingMessage(string QueueName, MessageEnvelope Envelope);

/// <summary>
/// A consumer: one function, message in, outgoing messages out. It is called for every delivery of a
/// message, which may be more than once, so it must be idempotent. Throwing leaves the message on the
/// queue: it comes back after its visibility timeout and goes to the dead-letter queue after the
/// queue's max receive count.
/// </summary>
public interface IMessageHandler
{
    /// <summary>The message type this handler consumes; its pipeline reads that type's queue.</summary>
    string MessageType { get; }

    ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken);
}
