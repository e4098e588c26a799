using System.Net;
using MetaServer.Aws;

namespace MetaServer.Messaging.Sqs;

/// <summary>
/// An error Amazon SQS returned. <see cref="TransportException.ErrorCode"/> is the transport-wide code
/// (<see cref="TransportErrorCodes"/> where one exists); <see cref="AwsErrorCode"/> is the JSON protocol's
/// <c>__type</c> and <see cref="QueryErrorCode"/> the legacy code from the <c>x-amzn-query-error</c> header.
/// A missing queue is reported as <see cref="QueueDoesNotExistException"/> instead.
/// </summary>
public class SqsException : TransportException
{
    public SqsException(string errorCode, string message, string awsErrorCode, string? queryErrorCode, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
        : base(errorCode, message, innerException)
    {
        AwsErrorCode = awsErrorCode;
        QueryErrorCode = queryErrorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    public string AwsErrorCode { get; }

    public string? QueryErrorCode { get; }

    public HttpStatusCode StatusCode { get; }

    public string? RequestId { get; }

    /// <summary>Throttling and server-side errors; the client retries these before giving up.</summary>
    public bool IsRetryable => SqsErrors.IsRetryable(StatusCode, AwsErrorCode);
}

/// <summary>SQS rejected one entry of a batch call (the other entries are unaffected).</summary>
internal sealed class SqsBatchEntryException(string errorCode, string message, string awsErrorCode)
    : SqsException(errorCode, message, awsErrorCode, null, HttpStatusCode.OK, null);

/// <summary>SQS error code handling shared by the client and the transport.</summary>
public static class SqsErrors
{
    public const string QueueDoesNotExist = "QueueDoesNotExist";
    public const string QueueNameExists = "QueueNameExists";

    public static bool IsRetryable(HttpStatusCode status, string awsErrorCode) => AwsRetryPolicy.IsRetryable(status, awsErrorCode);

    public static bool IsQueueDoesNotExist(string awsErrorCode, string? queryErrorCode) =>
        awsErrorCode == QueueDoesNotExist || queryErrorCode == TransportErrorCodes.QueueDoesNotExist;

    /// <summary>
    /// The transport-wide code of an SQS error: the legacy (query protocol) names in <see cref="TransportErrorCodes"/>
    /// for the errors callers branch on, the JSON protocol name otherwise.
    /// </summary>
    public static string ToTransportCode(string awsErrorCode) => awsErrorCode switch
    {
        QueueDoesNotExist => TransportErrorCodes.QueueDoesNotExist,
        QueueNameExists or "QueueAlreadyExists" => TransportErrorCodes.QueueNameExists,
        "TooManyEntriesInBatchRequest" => TransportErrorCodes.TooManyEntriesInBatchRequest,
        "EmptyBatchRequest" => TransportErrorCodes.EmptyBatchRequest,
        "MessageNotInflight" => TransportErrorCodes.MessageNotInflight,
        _ => awsErrorCode,
    };

    /// <summary>The queue name at the end of a queue URL (for error messages).</summary>
    public static string QueueNameOf(string queueUrl)
    {
        ArgumentNullException.ThrowIfNull(queueUrl);
        var trimmed = queueUrl.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash >= 0 ? trimmed[(slash + 1)..] : trimmed;
    }
}
