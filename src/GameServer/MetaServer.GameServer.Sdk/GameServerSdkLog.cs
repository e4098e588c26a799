using Microsoft.Extensions.Logging;

namespace MetaServer.GameServer.Sdk;

internal static partial class GameServerSdkLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Game server {GameServerId} took placement of match {MatchId} ({GameMode}, receive #{ReceiveCount})")]
    public static partial void PlacementTaken(ILogger logger, string gameServerId, string matchId, string gameMode, int receiveCount);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Game server {GameServerId} deleted malformed placement message {MessageId}: {Problem}")]
    public static partial void PlacementMalformed(ILogger logger, string gameServerId, string messageId, string problem);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Could not extend the visibility of the placement of match {MatchId}")]
    public static partial void PlacementExtendFailed(ILogger logger, string matchId, Exception exception);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Game server {GameServerId} read match {MatchId}: {Teams} teams, {Players} players ({Bots} bots)")]
    public static partial void MatchRead(ILogger logger, string gameServerId, string matchId, int teams, int players, int bots);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Game server {GameServerId} could not take match {MatchId}: {Reason}")]
    public static partial void HandOffFailed(ILogger logger, string gameServerId, string matchId, HandOffFailure reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Game server {GameServerId} reported match {MatchId} {Kind}")]
    public static partial void Reported(ILogger logger, string gameServerId, string matchId, string kind);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Debug, Message = "Match queue {QueueName} deleted")]
    public static partial void MatchQueueDeleted(ILogger logger, string queueName);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "Could not delete match queue {QueueName}")]
    public static partial void MatchQueueDeleteFailed(ILogger logger, string queueName, Exception exception);
}
