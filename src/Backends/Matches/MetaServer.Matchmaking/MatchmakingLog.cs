using Microsoft.Extensions.Logging;

namespace MetaServer.Matchmaking;

internal static partial class MatchmakingLog
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Error, Message = "Message {TransportMessageId} on queue {QueueName} is not a GameLift matchmaking event (receive {ReceiveCount}): {Field}: {Problem}; leaving it for the dead-letter queue.")]
    public static partial void UnparseableEvent(ILogger logger, string transportMessageId, string queueName, int receiveCount, string field, string problem);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Information, Message = "Offline matchmaker started: {Configurations} configuration(s), tick every {TickInterval}, events to queue {QueueName}.")]
    public static partial void OfflineStarted(ILogger logger, int configurations, TimeSpan tickInterval, string queueName);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Error, Message = "Offline matchmaker: sending {Count} matchmaking event(s) to queue {QueueName} failed; they are kept and sent again on the next tick.")]
    public static partial void SendFailed(ILogger logger, int count, string queueName, Exception exception);

    [LoggerMessage(EventId = 5212, Level = LogLevel.Error, Message = "Offline matchmaker: the match builder of configuration {ConfigurationName} failed; its {Count} searching ticket(s) end FAILED.")]
    public static partial void BuilderFailed(ILogger logger, string configurationName, int count, Exception exception);

    [LoggerMessage(EventId = 5213, Level = LogLevel.Error, Message = "Offline matchmaker tick failed.")]
    public static partial void TickFailed(ILogger logger, Exception exception);
}
