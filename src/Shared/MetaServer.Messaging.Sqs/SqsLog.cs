using Microsoft.Extensions.Logging;

namespace MetaServer.Messaging.Sqs;

internal static partial class SqsLog
{
    // EventId 3000 (a call retried) is logged by MetaServer.Aws.AwsJsonClient.

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "SQS queue {QueueName} existed with other attributes; updated them")]
    public static partial void QueueAttributesUpdated(ILogger logger, string queueName);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "SQS message {MessageId} on {QueueName} has a body that is not base64; delivered as its UTF-8 text")]
    public static partial void BodyNotBase64(ILogger logger, string messageId, string queueName);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Deleted abandoned reply queue {QueueName} (last heartbeat {LastHeartbeat})")]
    public static partial void OrphanDeleted(ILogger logger, string queueName, string lastHeartbeat);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Reply queue heartbeat for {QueueName} failed")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string queueName);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Reply queue sweep failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "SQS transport: endpoint {Endpoint}, region {Region}, batching {Batching}, credentials {CredentialSource}")]
    public static partial void Started(ILogger logger, Uri endpoint, string region, bool batching, string credentialSource);
}
