using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using IdentityKind = MetaServer.Accounts.Domain.IdentityKind;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// The login of every identity kind (device, custom id, Apple, Google): finds or creates the identity's account,
/// refuses a banned one (ACCOUNT_BANNED with reason and expiry), migrates it to the current schema, stamps the login
/// time and answers with the account snapshot. Idempotent: a redelivered message finds the account its first delivery
/// created (and still answers <c>created = true</c>, recognising its own request id). Identity ids are credentials
/// and never logged. After a stored create or update the account's <see cref="AccountSummary"/> is written through
/// to the optional <see cref="IAccountSummaryCache"/>; a cache failure is logged and never fails the login.
/// </summary>
internal sealed partial class IdentityLoginFlow(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    int maxUpdateAttempts,
    TimeProvider timeProvider,
    ILogger logger,
    IAccountSummaryCache? summaryCache)
{
    public async ValueTask<IReadOnlyList<OutgoingMessage>> LoginAsync(IncomingMessage message, LinkedIdentity identity, CancellationToken cancellationToken)
    {
        var requestId = message.Envelope.MessageId;

        // One login time for every attempt: a retry that finds a login at least this recent stored has nothing to do.
        var now = timeProvider.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.FindByIdentityAsync(identity, cancellationToken);
            if (account is null)
            {
                DeviceAccountResult creation;
                try
                {
                    creation = await store.CreateForIdentityAsync(identity, NewAccount(identity, requestId, now), cancellationToken);
                }
                catch (IdentityClaimBusyException)
                {
                    return AccountResultReplies.Error(
                        message, ResultCode.Unavailable, $"This {LinkedIdentity.Describe(identity.Kind)} is being linked or unlinked right now; retry in a moment.", timeProvider);
                }

                if (creation.Created)
                {
                    LogAccountCreated(creation.Account.AccountId, identity.Kind);
                    await AccountSummaries.WriteThroughAsync(summaryCache, creation.Account, logger, cancellationToken);
                    return AccountResultReplies.Ok(message, creation.Account, created: true, config, timeProvider);
                }

                account = creation.Account;
            }

            if (account.ActiveBan(now) is { } ban)
            {
                LogBannedLoginRefused(account.AccountId);
                return AccountResultReplies.Error(message, ResultCode.AccountBanned, AccountIdentityExtensions.BannedMessage(ban), timeProvider, account.AccountId);
            }

            if (!AccountRequests.TryMigrate(migrator, account, message, ErrorReplies.AccountResult(timeProvider), logger, out var migrated, out var migrationFailed))
            {
                return migrationFailed;
            }

            if (ReferenceEquals(migrated, account) && account.LastLoginAt >= now)
            {
                // A concurrent login (or an earlier delivery of this one) already stamped a login at least this
                // recent: nothing to write. This also keeps simultaneous logins of one account from starving.
                return AccountResultReplies.Ok(message, account, created: account.CreationRequestId == requestId, config, timeProvider);
            }

            var update = await store.TryUpdateAsync(migrated with { LastLoginAt = now }, account.Revision, cancellationToken);
            if (update is { Succeeded: true, Account: { } stored })
            {
                if (account.SchemaVersion != stored.SchemaVersion)
                {
                    LogAccountMigrated(stored.AccountId, account.SchemaVersion, stored.SchemaVersion);
                }

                await AccountSummaries.WriteThroughAsync(summaryCache, stored, logger, cancellationToken);

                return AccountResultReplies.Ok(message, stored, created: stored.CreationRequestId == requestId, config, timeProvider);
            }

            AccountRequests.RetryOrThrow(logger, message.Envelope.MessageType, account.AccountId, attempt, maxUpdateAttempts);
        }
    }

    private Account NewAccount(LinkedIdentity identity, string requestId, DateTimeOffset now) => AccountRules.WithStartingGrant(new Account
    {
        AccountId = Guid.CreateVersion7(now).ToString("N"),
        Revision = 1,
        SchemaVersion = migrator.TargetSchemaVersion,

        // Devices keep their historical default nickname; other kinds hash kind and id so ids of two kinds differ.
        Nickname = DeviceIds.DefaultNickname(identity.Kind == IdentityKind.Device ? identity.Id : identity.KindName + ":" + identity.Id),
        CreatedAt = now,
        LastLoginAt = now,
        DeviceIds = identity.Kind == IdentityKind.Device ? [identity.Id] : [],
        Identities = identity.Kind == IdentityKind.Device ? [] : [identity],
        CreationRequestId = requestId,
    }, config);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created account {AccountId} for a new {Kind}")]
    private partial void LogAccountCreated(string accountId, IdentityKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused the login of banned account {AccountId}")]
    private partial void LogBannedLoginRefused(string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated account {AccountId} from schema version {FromVersion} to {ToVersion}")]
    private partial void LogAccountMigrated(string accountId, int fromVersion, int toVersion);
}
