using System.Text.Json.Serialization;

namespace MetaServer.Messaging.Sqs;

// Request and response shapes of the Amazon SQS JSON protocol. Property names are the official field names
// (API reference), so they serialize as-is and mirror AWSSDK.SQS's model classes of the same names.

/// <summary>Queue attribute and message system attribute names used here.</summary>
public static class SqsAttributeNames
{
    public const string All = "All";
    public const string QueueArn = "QueueArn";
    public const string VisibilityTimeout = "VisibilityTimeout";
    public const string MessageRetentionPeriod = "MessageRetentionPeriod";
    public const string MaximumMessageSize = "MaximumMessageSize";
    public const string RedrivePolicy = "RedrivePolicy";
    public const string ApproximateNumberOfMessages = "ApproximateNumberOfMessages";
    public const string ApproximateNumberOfMessagesNotVisible = "ApproximateNumberOfMessagesNotVisible";
    public const string CreatedTimestamp = "CreatedTimestamp";
    public const string LastModifiedTimestamp = "LastModifiedTimestamp";
    public const string ApproximateReceiveCount = "ApproximateReceiveCount";
    public const string SentTimestamp = "SentTimestamp";
}

public sealed record CreateQueueRequest
{
    public required string QueueName { get; init; }

    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Cost-allocation tags; the JSON field is lower-case <c>tags</c> in the API.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

public sealed record CreateQueueResponse
{
    public string QueueUrl { get; init; } = string.Empty;
}

public sealed record GetQueueUrlRequest
{
    public required string QueueName { get; init; }

    public string? QueueOwnerAWSAccountId { get; init; }
}

public sealed record GetQueueUrlResponse
{
    public string QueueUrl { get; init; } = string.Empty;
}

public sealed record GetQueueAttributesRequest
{
    public required string QueueUrl { get; init; }

    public IReadOnlyList<string>? AttributeNames { get; init; }
}

public sealed record GetQueueAttributesResponse
{
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}

public sealed record SetQueueAttributesRequest
{
    public required string QueueUrl { get; init; }

    public required IReadOnlyDictionary<string, string> Attributes { get; init; }
}

public sealed record SetQueueAttributesResponse;

public sealed record DeleteQueueRequest
{
    public required string QueueUrl { get; init; }
}

public sealed record DeleteQueueResponse;

public sealed record PurgeQueueRequest
{
    public required string QueueUrl { get; init; }
}

public sealed record PurgeQueueResponse;

public sealed record ListQueuesRequest
{
    public string? QueueNamePrefix { get; init; }

    public int? MaxResults { get; init; }

    public string? NextToken { get; init; }
}

public sealed record ListQueuesResponse
{
    public IReadOnlyList<string>? QueueUrls { get; init; }

    public string? NextToken { get; init; }
}

public sealed record TagQueueRequest
{
    public required string QueueUrl { get; init; }

    public required IReadOnlyDictionary<string, string> Tags { get; init; }
}

public sealed record TagQueueResponse;

public sealed record ListQueueTagsRequest
{
    public required string QueueUrl { get; init; }
}

public sealed record ListQueueTagsResponse
{
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

public sealed record SendMessageRequest
{
    public required string QueueUrl { get; init; }

    public required string MessageBody { get; init; }

    public int? DelaySeconds { get; init; }
}

public sealed record SendMessageResponse
{
    public string MessageId { get; init; } = string.Empty;

    public string? MD5OfMessageBody { get; init; }
}

public sealed record SendMessageBatchRequestEntry
{
    public required string Id { get; init; }

    public required string MessageBody { get; init; }

    public int? DelaySeconds { get; init; }
}

public sealed record SendMessageBatchRequest
{
    public required string QueueUrl { get; init; }

    public required IReadOnlyList<SendMessageBatchRequestEntry> Entries { get; init; }
}

public sealed record SendMessageBatchResultEntry
{
    public string Id { get; init; } = string.Empty;

    public string MessageId { get; init; } = string.Empty;

    public string? MD5OfMessageBody { get; init; }
}

/// <summary>A failed entry of any batch call.</summary>
public sealed record BatchResultErrorEntry
{
    public string Id { get; init; } = string.Empty;

    public string Code { get; init; } = string.Empty;

    public string? Message { get; init; }

    public bool SenderFault { get; init; }
}

public sealed record SendMessageBatchResponse
{
    public IReadOnlyList<SendMessageBatchResultEntry>? Successful { get; init; }

    public IReadOnlyList<BatchResultErrorEntry>? Failed { get; init; }
}

public sealed record ReceiveMessageRequest
{
    public required string QueueUrl { get; init; }

    public int? MaxNumberOfMessages { get; init; }

    public int? WaitTimeSeconds { get; init; }

    public int? VisibilityTimeout { get; init; }

    public IReadOnlyList<string>? MessageSystemAttributeNames { get; init; }
}

public sealed record SqsMessage
{
    public string MessageId { get; init; } = string.Empty;

    public string ReceiptHandle { get; init; } = string.Empty;

    public string Body { get; init; } = string.Empty;

    public string? MD5OfBody { get; init; }

    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}

public sealed record ReceiveMessageResponse
{
    public IReadOnlyList<SqsMessage>? Messages { get; init; }
}

public sealed record DeleteMessageRequest
{
    public required string QueueUrl { get; init; }

    public required string ReceiptHandle { get; init; }
}

public sealed record DeleteMessageResponse;

public sealed record DeleteMessageBatchRequestEntry
{
    public required string Id { get; init; }

    public required string ReceiptHandle { get; init; }
}

public sealed record DeleteMessageBatchRequest
{
    public required string QueueUrl { get; init; }

    public required IReadOnlyList<DeleteMessageBatchRequestEntry> Entries { get; init; }
}

public sealed record DeleteMessageBatchResultEntry
{
    public string Id { get; init; } = string.Empty;
}

public sealed record DeleteMessageBatchResponse
{
    public IReadOnlyList<DeleteMessageBatchResultEntry>? Successful { get; init; }

    public IReadOnlyList<BatchResultErrorEntry>? Failed { get; init; }
}

public sealed record ChangeMessageVisibilityRequest
{
    public required string QueueUrl { get; init; }

    public required string ReceiptHandle { get; init; }

    public required int VisibilityTimeout { get; init; }
}

public sealed record ChangeMessageVisibilityResponse;

public sealed record ChangeMessageVisibilityBatchRequestEntry
{
    public required string Id { get; init; }

    public required string ReceiptHandle { get; init; }

    public required int VisibilityTimeout { get; init; }
}

public sealed record ChangeMessageVisibilityBatchRequest
{
    public required string QueueUrl { get; init; }

    public required IReadOnlyList<ChangeMessageVisibilityBatchRequestEntry> Entries { get; init; }
}

public sealed record ChangeMessageVisibilityBatchResultEntry
{
    public string Id { get; init; } = string.Empty;
}

public sealed record ChangeMessageVisibilityBatchResponse
{
    public IReadOnlyList<ChangeMessageVisibilityBatchResultEntry>? Successful { get; init; }

    public IReadOnlyList<BatchResultErrorEntry>? Failed { get; init; }
}
