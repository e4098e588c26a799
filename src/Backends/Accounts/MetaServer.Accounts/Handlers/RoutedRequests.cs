using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Pipelines;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Handlers;

/// <summary>The steps of <see cref="AccountRequests"/> for routed client requests, whose errors are <c>ClientReply</c>s.</summary>
internal static partial class RoutedRequests
{
    public static bool TryParse<T>(
        IncomingMessage message,
        MessageParser<T> parser,
        TimeProvider timeProvider,
        ILogger logger,
        [NotNullWhen(true)] out T? payload,
        out IReadOnlyList<OutgoingMessage> errorReply)
        where T : class, IMessage<T>
    {
        try
        {
            payload = parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodablePayload(logger, message.Envelope.MessageType, message.Envelope.MessageId, typeof(T).Name);
            payload = null;
            errorReply = ClientReplies.Error(message, ResultCode.InvalidArgument, "The request could not be decoded.", timeProvider);
            return false;
        }

        if (string.IsNullOrEmpty(message.Envelope.PlayerId))
        {
            payload = null;
            errorReply = ClientReplies.Error(message, ResultCode.NotAuthenticated, "The request has no player.", timeProvider);
            return false;
        }

        errorReply = [];
        return true;
    }

    /// <summary>Lazy migration with client replies: UNAVAILABLE for an account of a newer build, INTERNAL for a failed step.</summary>
    public static bool TryMigrate(
        AccountMigrator migrator,
        Account account,
        IncomingMessage message,
        TimeProvider timeProvider,
        ILogger logger,
        [NotNullWhen(true)] out Account? migrated,
        out IReadOnlyList<OutgoingMessage> errorReply)
    {
        try
        {
            migrated = migrator.Migrate(account);
            errorReply = [];
            return true;
        }
        catch (AccountSchemaTooNewException)
        {
            errorReply = ClientReplies.Error(message, ResultCode.Unavailable, "This account was updated by a newer server version; reconnect later.", timeProvider);
        }
        catch (AccountMigrationException ex)
        {
            LogMigrationFailed(logger, ex, account.AccountId);
            errorReply = ClientReplies.Error(message, ResultCode.Internal, "The account could not be loaded.", timeProvider);
        }

        migrated = null;
        return false;
    }

    /// <summary>
    /// The client reply to a run of the <see cref="AccountMutationRunner"/>: OK with <see cref="AccountResponse"/> (the
    /// full snapshot and what was granted; for a replay the current snapshot and the first delivery's grant), or the refusal.
    /// </summary>
    public static IReadOnlyList<OutgoingMessage> Reply(IncomingMessage message, MutationRun run, GameConfig.GameConfig config, TimeProvider timeProvider) => run switch
    {
        MutationRun.Applied applied => ClientReplies.Ok(
            message,
            new Envelope
            {
                Account = new AccountResponse
                {
                    Account = AccountSnapshots.ToSnapshot(applied.Account, config, timeProvider.GetUtcNow()),
                    Granted = AccountSnapshots.ToGrant(applied.Granted),
                },
            },
            timeProvider),
        MutationRun.Refused refused => ClientReplies.Error(message, refused.Code, refused.Message, timeProvider),
        _ => throw new InvalidOperationException($"Unknown mutation run {run.GetType().Name}."),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} message {MessageId} has a payload that is not a {PayloadType}")]
    private static partial void LogUndecodablePayload(ILogger logger, string messageType, string messageId, string payloadType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId} could not be migrated; request refused")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, string accountId);
}
