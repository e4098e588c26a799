using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.login-device</c>: finds or creates the device's account, migrates it to the current schema, stamps
/// the login time and answers with the account snapshot. Idempotent: a redelivered message finds the account its
/// first delivery created (and still answers <c>created = true</c>, recognising its own request id).
/// Device ids act as credentials, so they are never logged.
/// After a stored create or update the account's <see cref="AccountSummary"/> is written through to the optional
/// <see cref="IAccountSummaryCache"/>; a cache failure is logged and never fails the login (the cache's time to
/// live bounds how stale the summary can get).
/// </summary>
public sealed partial class LoginDeviceHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LoginDeviceHandler> logger,
    IAccountSummaryCache? summaryCache = null) : IMessageHandler
{
    public string MessageType => MessageTypes.AccountsLoginDevice;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, LoginDeviceCommand.Parser, "login", timeProvider, logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        var deviceId = command.DeviceId;
        if (DeviceIds.Validate(deviceId) is { } invalid)
        {
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
        }

        var requestId = message.Envelope.MessageId;
        var maxAttempts = options.Value.MaxUpdateAttempts;

        // One login time for every attempt: a retry that finds a login at least this recent stored has nothing to do.
        var now = timeProvider.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.FindByDeviceAsync(deviceId, cancellationToken);
            if (account is null)
            {
                var creation = await store.CreateForDeviceAsync(deviceId, NewAccount(deviceId, requestId, now), cancellationToken);
                if (creation.Created)
                {
                    LogAccountCreated(creation.Account.AccountId);
                    await CacheSummaryAsync(creation.Account, cancellationToken);
                    return AccountResultReplies.Ok(message, creation.Account, created: true, config, timeProvider);
                }

                account = creation.Account;
            }

            if (!AccountRequests.TryMigrate(migrator, account, message, timeProvider, logger, out var migrated, out var migrationFailed))
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

                await CacheSummaryAsync(stored, cancellationToken);

                return AccountResultReplies.Ok(message, stored, created: stored.CreationRequestId == requestId, config, timeProvider);
            }

            if (attempt >= maxAttempts)
            {
                LogUpdateAttemptsExhausted(account.AccountId, attempt);
                throw new AccountUpdateConflictException(account.AccountId, attempt);
            }

            LogUpdateConflict(account.AccountId, attempt);
        }
    }

    private async ValueTask CacheSummaryAsync(Account account, CancellationToken cancellationToken)
    {
        if (summaryCache is null)
        {
            return;
        }

        try
        {
            await summaryCache.SetAsync(
                new AccountSummary { AccountId = account.AccountId, Revision = account.Revision, Nickname = account.Nickname, LastLoginAt = account.LastLoginAt },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The login is stored; a cache outage must not fail it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSummaryCacheFailed(ex, account.AccountId);
        }
    }

    private Account NewAccount(string deviceId, string requestId, DateTimeOffset now) => AccountRules.WithStartingGrant(new Account
    {
        AccountId = Guid.CreateVersion7(now).ToString("N"),
        Revision = 1,
        SchemaVersion = migrator.TargetSchemaVersion,
        Nickname = DeviceIds.DefaultNickname(deviceId),
        CreatedAt = now,
        LastLoginAt = now,
        DeviceIds = [deviceId],
        CreationRequestId = requestId,
    }, config);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created account {AccountId} for a new device")]
    private partial void LogAccountCreated(string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Migrated account {AccountId} from schema version {FromVersion} to {ToVersion}")]
    private partial void LogAccountMigrated(string accountId, int fromVersion, int toVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Login update of account {AccountId} lost a concurrent write on attempt {Attempt}; retrying")]
    private partial void LogUpdateConflict(string accountId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not cache the summary of account {AccountId}; readers may see a stale one until it expires")]
    private partial void LogSummaryCacheFailed(Exception exception, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login update of account {AccountId} gave up after {Attempts} conflicting attempts; the message will be redelivered")]
    private partial void LogUpdateAttemptsExhausted(string accountId, int attempts);
}
