using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Pipelines;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Handlers;

/// <summary>Steps every accounts handler shares: decoding the payload and lazily migrating the account, each with its error reply.</summary>
internal static partial class AccountRequests
{
    /// <summary>
    /// Decodes the payload. A payload that does not parse will never succeed, so instead of throwing (which would
    /// only redeliver it) this logs it and returns an INVALID_ARGUMENT reply in <paramref name="errorReply"/>.
    /// </summary>
    public static bool TryParse<T>(
        IncomingMessage message,
        MessageParser<T> parser,
        string requestName,
        TimeProvider timeProvider,
        ILogger logger,
        [NotNullWhen(true)] out T? payload,
        out IReadOnlyList<OutgoingMessage> errorReply)
        where T : class, IMessage<T>
    {
        try
        {
            payload = parser.ParseFrom(message.Envelope.Payload.Span);
            errorReply = [];
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodablePayload(logger, message.Envelope.MessageType, message.Envelope.MessageId, typeof(T).Name);
            payload = null;
            errorReply = AccountResultReplies.Error(message, ResultCode.InvalidArgument, $"The {requestName} request could not be decoded.", timeProvider);
            return false;
        }
    }

    /// <summary>
    /// Runs the lazy migration chain on <paramref name="account"/>. An account written by a newer build answers
    /// UNAVAILABLE (and stays untouched); a failing migration answers INTERNAL without internals.
    /// </summary>
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
        catch (AccountSchemaTooNewException ex)
        {
            LogSchemaTooNew(logger, account.AccountId, ex.SchemaVersion, ex.SupportedSchemaVersion);
            errorReply = AccountResultReplies.Error(
                message, ResultCode.Unavailable, "This account was updated by a newer server version; reconnect later.", timeProvider, account.AccountId);
        }
        catch (AccountMigrationException ex)
        {
            LogMigrationFailed(logger, ex, account.AccountId);
            errorReply = AccountResultReplies.Error(message, ResultCode.Internal, "The account could not be loaded.", timeProvider, account.AccountId);
        }

        migrated = null;
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} message {MessageId} has a payload that is not a {PayloadType}")]
    private static partial void LogUndecodablePayload(ILogger logger, string messageType, string messageId, string payloadType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} has schema version {SchemaVersion}, newer than this build's {SupportedVersion}; request refused")]
    private static partial void LogSchemaTooNew(ILogger logger, string accountId, int schemaVersion, int supportedVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId} could not be migrated; request refused")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, string accountId);
}
