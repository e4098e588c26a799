using System.Collections.Concurrent;

namespace MetaServer.Messaging.Embedded;

/// <summary>
/// In-process <see cref="IMessageTransport"/> with Amazon SQS standard-queue semantics: at-least-once
/// delivery, visibility timeouts, receive counts, redrive to a dead-letter queue, retention and long
/// polling. Every timing decision goes through the <see cref="TimeProvider"/> given to the constructor,
/// so tests can drive it with a manual clock. Thread-safe; each queue has its own lock.
/// </summary>
public sealed class EmbeddedTransport : IMessageTransport
{
    /// <summary>Shortest message retention SQS accepts.</summary>
    public static readonly TimeSpan MinMessageRetention = TimeSpan.FromSeconds(60);

    /// <summary>Longest message retention SQS accepts.</summary>
    public static readonly TimeSpan MaxMessageRetention = TimeSpan.FromDays(14);

    /// <summary>Largest redrive max receive count SQS accepts.</summary>
    public const int MaxRedriveReceiveCount = 1000;

    private readonly ConcurrentDictionary<string, EmbeddedQueue> _queues = new(StringComparer.Ordinal);
    private readonly Lock _catalogGate = new();
    private readonly TimeProvider _timeProvider;

    public EmbeddedTransport(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    public ValueTask CreateQueueAsync(string queueName, QueueSettings settings, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(settings);
        ValidateSettings(queueName, settings);
        cancellationToken.ThrowIfCancellationRequested();

        lock (_catalogGate)
        {
            if (settings.Redrive is { } redrive && !_queues.ContainsKey(redrive.DeadLetterQueueName))
            {
                throw new TransportException(
                    TransportErrorCodes.InvalidParameterValue,
                    $"The redrive policy of queue '{queueName}' names dead-letter queue '{redrive.DeadLetterQueueName}', which does not exist. Create the dead-letter queue first.");
            }

            if (_queues.TryGetValue(queueName, out var existing))
            {
                // As the SQS transport does (SetQueueAttributes): changed settings apply to the existing queue
                // and its messages; creating with the same settings changes nothing.
                existing.Settings = settings;
                return ValueTask.CompletedTask;
            }

            _queues[queueName] = new EmbeddedQueue(queueName, settings, _timeProvider, Find);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteQueueAsync(string queueName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        cancellationToken.ThrowIfCancellationRequested();
        EmbeddedQueue? queue;
        lock (_catalogGate)
        {
            if (!_queues.TryRemove(queueName, out queue))
            {
                throw new QueueDoesNotExistException(queueName);
            }
        }

        queue.MarkDeleted();
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> QueueExistsAsync(string queueName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_queues.ContainsKey(queueName));
    }

    public ValueTask<string> SendAsync(string queueName, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var queue = Get(queueName);
        ValidateBody(body);
        return ValueTask.FromResult(queue.Send(body.ToArray()));
    }

    public ValueTask<IReadOnlyList<BatchEntryResult>> SendBatchAsync(string queueName, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        cancellationToken.ThrowIfCancellationRequested();
        ValidateBatchSize(bodies.Count);
        var queue = Get(queueName);

        var results = new BatchEntryResult[bodies.Count];
        var accepted = new List<(int Index, byte[] Body)>(bodies.Count);
        for (var i = 0; i < bodies.Count; i++)
        {
            try
            {
                ValidateBody(bodies[i]);
                accepted.Add((i, bodies[i].ToArray()));
            }
            catch (TransportException ex)
            {
                results[i] = BatchEntryResult.Failure(i, ex.ErrorCode, ex.Message);
            }
        }

        if (accepted.Count > 0)
        {
            var ids = queue.SendMany(accepted.ConvertAll(a => a.Body));
            for (var j = 0; j < accepted.Count; j++)
            {
                results[accepted[j].Index] = BatchEntryResult.Success(accepted[j].Index, ids[j]);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<BatchEntryResult>>(results);
    }

    public async ValueTask<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queueName, ReceiveOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxMessages is < 1 or > TransportLimits.MaxReceiveMessages)
        {
            throw new TransportException(
                TransportErrorCodes.InvalidParameterValue,
                $"MaxMessages must be between 1 and {TransportLimits.MaxReceiveMessages}; it was {options.MaxMessages}.");
        }

        if (options.WaitTime < TimeSpan.Zero || options.WaitTime > TransportLimits.MaxWaitTime)
        {
            throw new TransportException(
                TransportErrorCodes.InvalidParameterValue,
                $"WaitTime must be between 0 and {TransportLimits.MaxWaitTime.TotalSeconds} s; it was {options.WaitTime}.");
        }

        if (options.VisibilityTimeout is { } requested)
        {
            ValidateVisibilityTimeout(requested, nameof(options.VisibilityTimeout));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var queue = Get(queueName);
        var visibility = options.VisibilityTimeout ?? queue.Settings.VisibilityTimeout;
        return await queue.ReceiveAsync(options.MaxMessages, visibility, options.WaitTime, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DeleteAsync(string queueName, string receiptHandle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receiptHandle);
        cancellationToken.ThrowIfCancellationRequested();
        Get(queueName).Delete(receiptHandle);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<BatchEntryResult>> DeleteBatchAsync(string queueName, IReadOnlyList<string> receiptHandles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receiptHandles);
        cancellationToken.ThrowIfCancellationRequested();
        ValidateBatchSize(receiptHandles.Count);
        var queue = Get(queueName);
        var results = new BatchEntryResult[receiptHandles.Count];
        for (var i = 0; i < receiptHandles.Count; i++)
        {
            try
            {
                queue.Delete(receiptHandles[i] ?? string.Empty);
                results[i] = BatchEntryResult.Success(i);
            }
            catch (TransportException ex) when (ex is not QueueDoesNotExistException)
            {
                results[i] = BatchEntryResult.Failure(i, ex.ErrorCode, ex.Message);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<BatchEntryResult>>(results);
    }

    public ValueTask ChangeVisibilityAsync(string queueName, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receiptHandle);
        ValidateVisibilityTimeout(visibilityTimeout, nameof(visibilityTimeout));
        cancellationToken.ThrowIfCancellationRequested();
        Get(queueName).ChangeVisibility(receiptHandle, visibilityTimeout);
        return ValueTask.CompletedTask;
    }

    public ValueTask<QueueCounts> GetQueueCountsAsync(string queueName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Get(queueName).GetCounts());
    }

    private EmbeddedQueue? Find(string queueName) => _queues.TryGetValue(queueName, out var queue) ? queue : null;

    private EmbeddedQueue Get(string queueName)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        return Find(queueName) ?? throw new QueueDoesNotExistException(queueName);
    }

    private static void ValidateBody(ReadOnlyMemory<byte> body)
    {
        if (body.Length > TransportLimits.MaxBodyBytes)
        {
            throw new MessageTooLargeException(body.Length);
        }

        if (body.Length == 0)
        {
            throw new TransportException(TransportErrorCodes.InvalidParameterValue, "A message body must not be empty.");
        }
    }

    private static void ValidateBatchSize(int count)
    {
        if (count == 0)
        {
            throw new TransportException(TransportErrorCodes.EmptyBatchRequest, "A batch request must contain at least one entry.");
        }

        if (count > TransportLimits.MaxBatchSize)
        {
            throw new TransportException(
                TransportErrorCodes.TooManyEntriesInBatchRequest,
                $"A batch request may contain at most {TransportLimits.MaxBatchSize} entries; it had {count}.");
        }
    }

    private static void ValidateVisibilityTimeout(TimeSpan value, string what)
    {
        if (value < TimeSpan.Zero || value > TransportLimits.MaxVisibilityTimeout)
        {
            throw new TransportException(
                TransportErrorCodes.InvalidParameterValue,
                $"{what} must be between 0 and {TransportLimits.MaxVisibilityTimeout.TotalHours} h; it was {value}.");
        }
    }

    private static void ValidateSettings(string queueName, QueueSettings settings)
    {
        ValidateVisibilityTimeout(settings.VisibilityTimeout, nameof(settings.VisibilityTimeout));
        if (settings.MessageRetention < MinMessageRetention || settings.MessageRetention > MaxMessageRetention)
        {
            throw new TransportException(
                TransportErrorCodes.InvalidParameterValue,
                $"MessageRetention must be between {MinMessageRetention} and {MaxMessageRetention}; it was {settings.MessageRetention}.");
        }

        if (settings.Redrive is { } redrive)
        {
            QueueNames.Validate(redrive.DeadLetterQueueName);
            if (redrive.MaxReceiveCount is < 1 or > MaxRedriveReceiveCount)
            {
                throw new TransportException(
                    TransportErrorCodes.InvalidParameterValue,
                    $"The redrive MaxReceiveCount must be between 1 and {MaxRedriveReceiveCount}; it was {redrive.MaxReceiveCount}.");
            }

            if (string.Equals(redrive.DeadLetterQueueName, queueName, StringComparison.Ordinal))
            {
                throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"Queue '{queueName}' cannot be its own dead-letter queue.");
            }
        }
    }
}
