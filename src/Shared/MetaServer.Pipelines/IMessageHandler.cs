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

/// <summary>A message taken from a queue as it is, without decoding an envelope: the transport's message id and the body.</summary>
public sealed record RawIncomingMessage(string MessageId, ReadOnlyMemory<byte> Body, string QueueName, int ReceiveCount);

/// <summary>
/// A consumer of a queue other systems write to (no <see cref="MessageEnvelope"/>): same contract as
/// <see cref="IMessageHandler"/> (idempotent; throwing leaves the message for a retry and, after the queue's max receive
/// count, the dead-letter queue). Run it with the raw constructor of <see cref="MessagePipeline"/>; it is not picked up
/// by <see cref="PipelineServiceCollectionExtensions.AddMessagePipelines"/>.
/// </summary>
public interface IRawMessageHandler
{
    /// <summary>Names the handler in logs.</summary>
    string Name { get; }

    ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(RawIncomingMessage message, CancellationToken cancellationToken);
}
