using Microsoft.Extensions.Logging;

namespace MetaServer.Frontend;

internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Warning, Message = "Request queue {Queue} for {MessageType} does not exist; is the backend running?")]
    public static partial void BackendQueueMissing(ILogger logger, string queue, string messageType);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Sending {MessageType} to {Queue} failed")]
    public static partial void BackendSendFailed(ILogger logger, Exception exception, string queue, string messageType);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "No reply to {MessageType} (correlation {CorrelationId}) within {Timeout}")]
    public static partial void BackendTimedOut(ILogger logger, string messageType, string correlationId, TimeSpan timeout);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Frontend instance {InstanceId} listening for replies on {ReplyQueue}")]
    public static partial void ReplyQueueReady(ILogger logger, string instanceId, string replyQueue);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Late or unknown reply {MessageType} (correlation {CorrelationId}) dropped")]
    public static partial void UnmatchedReply(ILogger logger, string messageType, string correlationId);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Dropped a reply-queue message that is not a valid envelope")]
    public static partial void BadReplyEnvelope(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Event {MessageType} for session {SessionId} dropped: the session is not on this instance")]
    public static partial void EventForUnknownSession(ILogger logger, string messageType, string sessionId);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Dropped reply-queue message {MessageType} {MessageId}: it has neither a correlation id nor a valid session event")]
    public static partial void UnroutableReply(ILogger logger, string messageType, string messageId);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Error, Message = "Reply queue {ReplyQueue} receive failed; retrying")]
    public static partial void ReplyReceiveFailed(ILogger logger, Exception exception, string replyQueue);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Warning, Message = "Reply queue {ReplyQueue} was missing; recreated it")]
    public static partial void ReplyQueueRecreated(ILogger logger, string replyQueue);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Information, Message = "Deleted reply queue {ReplyQueue}")]
    public static partial void ReplyQueueDeleted(ILogger logger, string replyQueue);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Warning, Message = "Could not delete reply queue {ReplyQueue}")]
    public static partial void ReplyQueueDeleteFailed(ILogger logger, Exception exception, string replyQueue);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Draining {Count} sessions (up to {DrainTimeout})")]
    public static partial void DrainStarted(ILogger logger, int count, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "Drain timeout reached; aborting {Count} sessions")]
    public static partial void DrainTimedOut(ILogger logger, int count);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "All sessions drained")]
    public static partial void DrainFinished(ILogger logger);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Debug, Message = "Session {SessionId} opened")]
    public static partial void SessionOpened(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Debug, Message = "Session {SessionId} ended")]
    public static partial void SessionEnded(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Information, Message = "Closing session {SessionId}: {Status} {Reason}")]
    public static partial void SessionClosing(ILogger logger, string sessionId, System.Net.WebSockets.WebSocketCloseStatus status, string reason);

    [LoggerMessage(EventId = 1033, Level = LogLevel.Warning, Message = "Session {SessionId} aborted: its outbound queue is full (client too slow)")]
    public static partial void OutboundOverflow(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 1034, Level = LogLevel.Debug, Message = "Session {SessionId} connection lost")]
    public static partial void SessionConnectionLost(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 1035, Level = LogLevel.Error, Message = "Session {SessionId}: request {RequestId} failed unexpectedly")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string sessionId, ulong requestId);

    [LoggerMessage(EventId = 1036, Level = LogLevel.Information, Message = "Session {SessionId}: token refused ({Failure})")]
    public static partial void TokenRefused(ILogger logger, string sessionId, TokenFailure failure);

    [LoggerMessage(EventId = 1037, Level = LogLevel.Information, Message = "Session {SessionId} authenticated as account {AccountId}")]
    public static partial void SessionAuthenticated(ILogger logger, string sessionId, string accountId);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Refused a WebSocket from origin {Origin}")]
    public static partial void OriginRefused(ILogger logger, string origin);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Warning, Message = "Session {SessionId}: session registry call failed; server events may not reach it until the next refresh")]
    public static partial void PresenceFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Information, Message = "Session {SessionId}: its registry entry was gone; registered it again")]
    public static partial void PresenceRestored(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Information, Message = "Session {SessionId}: a newer session of player {PlayerId} took over its registry entry")]
    public static partial void PresenceSuperseded(ILogger logger, string sessionId, string playerId);

    [LoggerMessage(EventId = 1053, Level = LogLevel.Error, Message = "The {MessageType} service answered with an unusable {ReplyType} reply; the client gets INTERNAL")]
    public static partial void UnexpectedServiceReply(ILogger logger, string messageType, string replyType);

    [LoggerMessage(EventId = 1060, Level = LogLevel.Information, Message = "Session {SessionId}: account {AccountId} may not continue ({Code}); closing the session")]
    public static partial void SessionRefused(ILogger logger, string sessionId, string accountId, MetaServer.Protocol.V1.ResultCode code);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Information, Message = "Session {SessionId}: told to disconnect ({Code}); closing the session")]
    public static partial void SessionDisconnected(ILogger logger, string sessionId, MetaServer.Protocol.V1.ResultCode code);
    [LoggerMessage(EventId = 1054, Level = LogLevel.Warning, Message = "Reply queue {ReplyQueue}: routed replies could not be deleted ({ErrorCode}); they return after the visibility timeout and are dropped as unmatched")]
    public static partial void ReplyDeleteFailed(ILogger logger, Exception? exception, string replyQueue, string errorCode);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Debug, Message = "Notice {MessageType} not sent: queue {Queue} does not exist (the service is not deployed)")]
    public static partial void NoticeQueueMissing(ILogger logger, string queue, string messageType);

    [LoggerMessage(EventId = 1063, Level = LogLevel.Warning, Message = "Notice {MessageType} to {Queue} could not be sent")]
    public static partial void NoticeSendFailed(ILogger logger, Exception exception, string queue, string messageType);
}
