namespace MetaServer.Messaging;

/// <summary>A transport call failed. <see cref="ErrorCode"/> uses the SQS error code names.</summary>
public class TransportException : Exception
{
    public TransportException(string errorCode, string message, Exception? innerException = null)
        : base(message, innerException) => ErrorCode = errorCode;

    public string ErrorCode { get; }
}

public sealed class QueueDoesNotExistException(string queueName)
    : TransportException(TransportErrorCodes.QueueDoesNotExist, $"Queue '{queueName}' does not exist.")
{
    public string QueueName { get; } = queueName;
}

public sealed class MessageTooLargeException(int bodyBytes)
    : TransportException(
        TransportErrorCodes.MessageTooLarge,
        $"Message body is {bodyBytes} bytes ({Base64Length(bodyBytes)} encoded); the limit is {TransportLimits.MaxBodyBytes} bytes ({TransportLimits.MaxEncodedBodyBytes} encoded).")
{
    public int BodyBytes { get; } = bodyBytes;

    private static long Base64Length(int bytes) => ((long)bytes + 2) / 3 * 4;
}

public static class TransportErrorCodes
{
    public const string QueueDoesNotExist = "AWS.SimpleQueueService.NonExistentQueue";
    public const string MessageTooLarge = "MessageTooLong";
    public const string TooManyEntriesInBatchRequest = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest";
    public const string EmptyBatchRequest = "AWS.SimpleQueueService.EmptyBatchRequest";
    public const string ReceiptHandleIsInvalid = "ReceiptHandleIsInvalid";
    public const string MessageNotInflight = "AWS.SimpleQueueService.MessageNotInflight";
    public const string InvalidParameterValue = "InvalidParameterValue";
    public const string QueueNameExists = "QueueAlreadyExists";
}
