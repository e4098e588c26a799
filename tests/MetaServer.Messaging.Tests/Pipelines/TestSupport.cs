using System.Threading.Channels;
using MetaServer.Pipelines;

namespace MetaServer.Messaging.Tests.Pipelines;

/// <summary>A handler whose behaviour a test sets; it records entries, calls and concurrency.</summary>
internal sealed class TestHandler(string messageType) : IMessageHandler
{
    private int _running;
    private int _maxConcurrency;
    private int _calls;

    public string MessageType => messageType;

    public Func<IncomingMessage, CancellationToken, Task<IReadOnlyList<OutgoingMessage>>> Behavior { get; set; } =
        (_, _) => Task.FromResult<IReadOnlyList<OutgoingMessage>>([]);

    /// <summary>Every call, written as the handler is entered.</summary>
    public Channel<IncomingMessage> Entered { get; } = Channel.CreateUnbounded<IncomingMessage>();

    /// <summary>Every call that returned normally, written after the behaviour finished.</summary>
    public Channel<IncomingMessage> Completed { get; } = Channel.CreateUnbounded<IncomingMessage>();

    public int MaxConcurrency => Volatile.Read(ref _maxConcurrency);

    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var running = Interlocked.Increment(ref _running);
        int seen;
        while (running > (seen = Volatile.Read(ref _maxConcurrency)) && Interlocked.CompareExchange(ref _maxConcurrency, running, seen) != seen)
        {
        }

        Entered.Writer.TryWrite(message);
        try
        {
            var result = await Behavior(message, cancellationToken);
            Completed.Writer.TryWrite(message);
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

/// <summary>Wraps a transport and reports visibility changes and deletes as they happen.</summary>
internal sealed class RecordingTransport(IMessageTransport inner) : IMessageTransport
{
    public Channel<string> VisibilityChanges { get; } = Channel.CreateUnbounded<string>();

    public Channel<string> Deletes { get; } = Channel.CreateUnbounded<string>();

    public ValueTask CreateQueueAsync(string queueName, QueueSettings settings, CancellationToken cancellationToken = default) =>
        inner.CreateQueueAsync(queueName, settings, cancellationToken);

    public ValueTask DeleteQueueAsync(string queueName, CancellationToken cancellationToken = default) =>
        inner.DeleteQueueAsync(queueName, cancellationToken);

    public ValueTask<bool> QueueExistsAsync(string queueName, CancellationToken cancellationToken = default) =>
        inner.QueueExistsAsync(queueName, cancellationToken);

    public ValueTask<string> SendAsync(string queueName, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        inner.SendAsync(queueName, body, cancellationToken);

    public ValueTask<IReadOnlyList<BatchEntryResult>> SendBatchAsync(string queueName, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default) =>
        inner.SendBatchAsync(queueName, bodies, cancellationToken);

    public ValueTask<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queueName, ReceiveOptions options, CancellationToken cancellationToken = default) =>
        inner.ReceiveAsync(queueName, options, cancellationToken);

    public async ValueTask DeleteAsync(string queueName, string receiptHandle, CancellationToken cancellationToken = default)
    {
        await inner.DeleteAsync(queueName, receiptHandle, cancellationToken);
        Deletes.Writer.TryWrite(receiptHandle);
    }

    public ValueTask<IReadOnlyList<BatchEntryResult>> DeleteBatchAsync(string queueName, IReadOnlyList<string> receiptHandles, CancellationToken cancellationToken = default) =>
        inner.DeleteBatchAsync(queueName, receiptHandles, cancellationToken);

    public async ValueTask ChangeVisibilityAsync(string queueName, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        await inner.ChangeVisibilityAsync(queueName, receiptHandle, visibilityTimeout, cancellationToken);
        VisibilityChanges.Writer.TryWrite(receiptHandle);
    }

    public ValueTask<QueueCounts> GetQueueCountsAsync(string queueName, CancellationToken cancellationToken = default) =>
        inner.GetQueueCountsAsync(queueName, cancellationToken);
}
