namespace MetaServer.Messaging;

/// <summary>Limits shared by every transport; they are the Amazon SQS limits.</summary>
public static class TransportLimits
{
    /// <summary>Largest message SQS takes, in bytes of the encoded body.</summary>
    public const int MaxEncodedBodyBytes = 1_048_576;

    /// <summary>
    /// Largest raw body. Bodies are binary and travel base64-encoded on SQS, so the raw limit is
    /// three quarters of the encoded one; every transport enforces the same figure.
    /// </summary>
    public const int MaxBodyBytes = MaxEncodedBodyBytes / 4 * 3;

    public const int MaxBatchSize = 10;
    public const int MaxReceiveMessages = 10;
    public static readonly TimeSpan MaxWaitTime = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromHours(12);
    public const int MaxQueueNameLength = 80;
}

/// <summary>Attributes of a queue. Defaults follow SQS.</summary>
public sealed record QueueSettings
{
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MessageRetention { get; init; } = TimeSpan.FromDays(4);

    /// <summary>Moves a message to a dead-letter queue once it has been received this many times without being deleted.</summary>
    public RedrivePolicy? Redrive { get; init; }
}

public sealed record RedrivePolicy(string DeadLetterQueueName, int MaxReceiveCount);

public sealed record ReceiveOptions
{
    public int MaxMessages { get; init; } = 1;

    /// <summary>Long-poll wait for the first message; zero returns at once.</summary>
    public TimeSpan WaitTime { get; init; } = TimeSpan.Zero;

    /// <summary>Overrides the queue's visibility timeout for the messages of this receive.</summary>
    public TimeSpan? VisibilityTimeout { get; init; }
}

public sealed record ReceivedMessage(
    string MessageId,
    string ReceiptHandle,
    ReadOnlyMemory<byte> Body,
    int ReceiveCount,
    DateTimeOffset SentAt);

/// <summary>Outcome of one entry of a batch call.</summary>
public sealed record BatchEntryResult(int Index, string? MessageId, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => ErrorCode is null;

    public static BatchEntryResult Success(int index, string? messageId = null) => new(index, messageId, null, null);

    public static BatchEntryResult Failure(int index, string errorCode, string errorMessage) => new(index, null, errorCode, errorMessage);
}

public sealed record QueueCounts(long Visible, long InFlight);
