using Microsoft.Extensions.Logging;

namespace MetaServer.Pipelines;

internal static partial class PipelineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Pipeline for queue {QueueName} started: {Producers} producer(s) x {Consumers} consumer(s).")]
    public static partial void Started(ILogger logger, string queueName, int producers, int consumers);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Pipeline for queue {QueueName} stopping: {InFlight} message(s) in flight, draining for up to {DrainTimeout}.")]
    public static partial void Stopping(ILogger logger, string queueName, int inFlight, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Pipeline for queue {QueueName} stopped.")]
    public static partial void Stopped(ILogger logger, string queueName);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Pipeline for queue {QueueName} did not drain in time; cancelling {InFlight} handler(s). Their messages return after the visibility timeout.")]
    public static partial void DrainDeadline(ILogger logger, string queueName, int inFlight);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Pipeline for queue {QueueName} stopped with handlers still running after cancellation.")]
    public static partial void HandlersAbandoned(ILogger logger, string queueName);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Receiving from queue {QueueName} failed; retrying in {Delay}.")]
    public static partial void ReceiveFailed(ILogger logger, string queueName, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Error, Message = "Message {TransportMessageId} on queue {QueueName} is not a valid envelope (receive {ReceiveCount}); leaving it for the dead-letter queue.")]
    public static partial void Undecodable(ILogger logger, string queueName, string transportMessageId, int receiveCount, Exception exception);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "Message {MessageId} on queue {QueueName} has type {MessageType}, expected {ExpectedType}; leaving it for the dead-letter queue.")]
    public static partial void WrongMessageType(ILogger logger, string queueName, string messageId, string messageType, string expectedType);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Error, Message = "Handler for {MessageType} failed on message {MessageId} (receive {ReceiveCount}); it returns after its visibility timeout.")]
    public static partial void HandlerFailed(ILogger logger, string messageType, string messageId, int receiveCount, Exception exception);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Handler for {MessageType} was cancelled on message {MessageId}; it returns after its visibility timeout.")]
    public static partial void HandlerCancelled(ILogger logger, string messageType, string messageId);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "Dropping {Count} outgoing message(s) of {MessageId}: queue {QueueName} does not exist.")]
    public static partial void OutgoingQueueMissing(ILogger logger, string messageId, string queueName, int count);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Error, Message = "Sending outgoing message {OutgoingMessageId} of {MessageId} to queue {QueueName} failed ({ErrorCode}: {ErrorMessage}); the input is kept and will be retried.")]
    public static partial void OutgoingFailed(ILogger logger, string messageId, string outgoingMessageId, string queueName, string? errorCode, string? errorMessage);

    [LoggerMessage(EventId = 1026, Level = LogLevel.Error, Message = "Completing message {MessageId} on queue {QueueName} failed; it returns after its visibility timeout.")]
    public static partial void CompleteFailed(ILogger logger, string messageId, string queueName, Exception exception);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Debug, Message = "Renewed visibility of message {MessageId} on queue {QueueName}.")]
    public static partial void Renewed(ILogger logger, string messageId, string queueName);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Renewing visibility of message {MessageId} on queue {QueueName} failed.")]
    public static partial void RenewFailed(ILogger logger, string messageId, string queueName, Exception exception);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Queues ready for message type {MessageType}: {QueueName} (dead-letter queue {DeadLetterQueueName}, max receive count {MaxReceiveCount}).")]
    public static partial void QueuesReady(ILogger logger, string messageType, string queueName, string deadLetterQueueName, int maxReceiveCount);
}
