namespace MetaServer.Messaging.Embedded;

// Placeholder so the solution builds; replaced by the real implementation in the messaging work.
public sealed class EmbeddedTransport(TimeProvider timeProvider) : IMessageTransport
{
    private readonly TimeProvider _timeProvider = timeProvider;

    public ValueTask CreateQueueAsync(string queueName, QueueSettings settings, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask DeleteQueueAsync(string queueName, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask<bool> QueueExistsAsync(string queueName, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask<string> SendAsync(string queueName, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask<IReadOnlyList<BatchEntryResult>> SendBatchAsync(string queueName, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queueName, ReceiveOptions options, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask DeleteAsync(string queueName, string receiptHandle, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask<IReadOnlyList<BatchEntryResult>> DeleteBatchAsync(string queueName, IReadOnlyList<string> receiptHandles, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask ChangeVisibilityAsync(string queueName, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => throw NotYet();
    public ValueTask<QueueCounts> GetQueueCountsAsync(string queueName, CancellationToken cancellationToken = default) => throw NotYet();

    private NotSupportedException NotYet() => new($"placeholder ({_timeProvider})");
}
