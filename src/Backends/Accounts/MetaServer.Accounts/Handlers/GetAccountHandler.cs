using Google.Protobuf;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.get-account</c>: answers with the account snapshot or NOT_FOUND. Read-only: an account of an older
/// schema is migrated in memory for the answer and saved migrated only by its next login.
/// </summary>
public sealed partial class GetAccountHandler(
    IAccountStore store,
    AccountMigrator migrator,
    TimeProvider timeProvider,
    ILogger<GetAccountHandler> logger) : IMessageHandler
{
    /// <summary>Longest account id accepted; real ids are 32 characters.</summary>
    public const int MaxAccountIdLength = 128;

    public string MessageType => MessageTypes.AccountsGetAccount;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        GetAccountQuery query;
        try
        {
            query = GetAccountQuery.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodablePayload(message.Envelope.MessageId);
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, "The account request could not be decoded.", timeProvider);
        }

        var accountId = query.AccountId;
        if (accountId.Length == 0)
        {
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, "The account id is empty.", timeProvider);
        }

        if (accountId.Length > MaxAccountIdLength)
        {
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, $"The account id is longer than {MaxAccountIdLength} characters.", timeProvider);
        }

        var account = await store.GetAsync(accountId, cancellationToken);
        if (account is null)
        {
            return AccountResultReplies.Error(message, ResultCode.NotFound, "No account has this id.", timeProvider);
        }

        try
        {
            account = migrator.Migrate(account);
        }
        catch (AccountSchemaTooNewException ex)
        {
            LogSchemaTooNew(account.AccountId, ex.SchemaVersion, ex.SupportedSchemaVersion);
            return AccountResultReplies.Error(
                message, ResultCode.Unavailable, "This account was updated by a newer server version; reconnect later.", timeProvider, account.AccountId);
        }
        catch (AccountMigrationException ex)
        {
            LogMigrationFailed(ex, account.AccountId);
            return AccountResultReplies.Error(message, ResultCode.Internal, "The account could not be loaded.", timeProvider, account.AccountId);
        }

        return AccountResultReplies.Ok(message, account, created: false, timeProvider);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Get-account message {MessageId} has a payload that is not a GetAccountQuery")]
    private partial void LogUndecodablePayload(string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} has schema version {SchemaVersion}, newer than this build's {SupportedVersion}")]
    private partial void LogSchemaTooNew(string accountId, int schemaVersion, int supportedVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId} could not be migrated for reading")]
    private partial void LogMigrationFailed(Exception exception, string accountId);
}
