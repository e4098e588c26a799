namespace MetaServer.Messaging;

/// <summary>
/// Named queues with Amazon SQS (standard queue) semantics. Implementations must pass the
/// transport contract test suite. Delivery is at-least-once: a received message that is not
/// deleted before its visibility timeout lapses becomes visible again, and duplicates are
/// possible by contract, so every consumer must be idempotent.
/// </summary>
public interface IMessageTransport
{
    /// <summary>Creates the queue if it does not exist (idempotent). A redrive policy needs its dead-letter queue to exist.</summary>
    ValueTask CreateQueueAsync(string queueName, QueueSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Deletes the queue and every message in it. Deleting a missing queue throws <see cref="QueueDoesNotExistException"/>.</summary>
    ValueTask DeleteQueueAsync(string queueName, CancellationToken cancellationToken = default);

    /// <summary>True when the queue exists.</summary>
    ValueTask<bool> QueueExistsAsync(string queueName, CancellationToken cancellationToken = default);

    /// <summary>Sends one message and returns its message id. Throws <see cref="MessageTooLargeException"/> past <see cref="TransportLimits.MaxBodyBytes"/>.</summary>
    ValueTask<string> SendAsync(string queueName, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends up to <see cref="TransportLimits.MaxBatchSize"/> messages. Entries fail one by one (for example an
    /// oversize body); the result has one entry per input, in input order.
    /// </summary>
    ValueTask<IReadOnlyList<BatchEntryResult>> SendBatchAsync(string queueName, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default);

    /// <summary>
    /// Receives up to <see cref="ReceiveOptions.MaxMessages"/> (at most 10) messages, waiting up to
    /// <see cref="ReceiveOptions.WaitTime"/> (long poll, at most 20 s) for the first one. Returns an empty list
    /// when the wait lapses. Cancelling the call never loses a message: anything not returned stays on the queue.
    /// </summary>
    ValueTask<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queueName, ReceiveOptions options, CancellationToken cancellationToken = default);

    /// <summary>Deletes a received message. A receipt handle of an earlier receive of a message that has been received again is accepted and deletes nothing, as in SQS.</summary>
    ValueTask DeleteAsync(string queueName, string receiptHandle, CancellationToken cancellationToken = default);

    /// <summary>Deletes up to 10 received messages; the result has one entry per input, in input order.</summary>
    ValueTask<IReadOnlyList<BatchEntryResult>> DeleteBatchAsync(string queueName, IReadOnlyList<string> receiptHandles, CancellationToken cancellationToken = default);

    /// <summary>Sets how long from now a received message stays invisible. Zero makes it visible at once.</summary>
    ValueTask ChangeVisibilityAsync(string queueName, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Approximate counts, as SQS reports them.</summary>
    ValueTask<QueueCounts> GetQueueCountsAsync(string queueName, CancellationToken cancellationToken = default);
}
