using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.get-account</c>: answers with the account snapshot or NOT_FOUND. Read-only: an account of an older
/// schema is migrated in memory for the answer and saved migrated only by its next login.
/// A session check (<c>check_session</c>, token resume and refresh) refuses a banned account with ACCOUNT_BANNED;
/// with <c>stamp_login</c> it also stores the login time (and so the migration), like a login.
/// </summary>
public sealed class GetAccountHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    TimeProvider timeProvider,
    ILogger<GetAccountHandler> logger,
    IOptions<AccountsOptions>? options = null) : IMessageHandler
{
    /// <summary>Longest account id accepted; real ids are 32 characters.</summary>
    public const int MaxAccountIdLength = 128;

    public string MessageType => MessageTypes.AccountsGetAccount;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, GetAccountQuery.Parser, "account", ErrorReplies.AccountResult(timeProvider), logger, out var query, out var invalidPayload))
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

        var now = timeProvider.GetUtcNow();
        var maxAttempts = options?.Value.MaxUpdateAttempts ?? 8;
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.GetAsync(accountId, cancellationToken);
            if (account is null)
            {
                return AccountResultReplies.Error(message, ResultCode.NotFound, "No account has this id.", timeProvider);
            }

            if (query.CheckSession && account.ActiveBan(now) is { } ban)
            {
                return AccountResultReplies.Error(message, ResultCode.AccountBanned, AccountIdentityExtensions.BannedMessage(ban), timeProvider, accountId);
            }

            if (!AccountRequests.TryMigrate(migrator, account, message, ErrorReplies.AccountResult(timeProvider), logger, out var migrated, out var migrationFailed))
            {
                return migrationFailed;
            }

            if (!query.StampLogin || (ReferenceEquals(migrated, account) && account.LastLoginAt >= now))
            {
                return AccountResultReplies.Ok(message, migrated, created: false, config, timeProvider);
            }

            var update = await store.TryUpdateAsync(migrated with { LastLoginAt = now }, account.Revision, cancellationToken);
            if (update is { Succeeded: true, Account: { } stored })
            {
                return AccountResultReplies.Ok(message, stored, created: false, config, timeProvider);
            }

            AccountRequests.RetryOrThrow(logger, MessageType, accountId, attempt, maxAttempts);
        }
    }
}
