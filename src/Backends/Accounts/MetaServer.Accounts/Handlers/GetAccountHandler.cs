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
public sealed class GetAccountHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    TimeProvider timeProvider,
    ILogger<GetAccountHandler> logger) : IMessageHandler
{
    /// <summary>Longest account id accepted; real ids are 32 characters.</summary>
    public const int MaxAccountIdLength = 128;

    public string MessageType => MessageTypes.AccountsGetAccount;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, GetAccountQuery.Parser, "account", timeProvider, logger, out var query, out var invalidPayload))
        {
            return invalidPayload;
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

        if (!AccountRequests.TryMigrate(migrator, account, message, timeProvider, logger, out var migrated, out var migrationFailed))
        {
            return migrationFailed;
        }

        return AccountResultReplies.Ok(message, migrated, created: false, config, timeProvider);
    }
}
