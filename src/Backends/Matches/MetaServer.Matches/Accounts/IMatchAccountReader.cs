using MetaServer.Accounts.Handlers;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Matches.Accounts;

/// <summary>Read-only access to players' account data for matchmaking (nicknames) and the game-server hand-off.</summary>
public interface IMatchAccountReader
{
    /// <summary>The snapshots of the accounts that exist among <paramref name="accountIds"/> (missing ones are absent).</summary>
    Task<IReadOnlyDictionary<string, AccountSnapshot>> GetSnapshotsAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IMatchAccountReader"/> over the accounts store: loads the accounts, applies the lazy migrations in memory
/// only (never writes) and builds the same <see cref="AccountSnapshot"/> the accounts service sends. An account that
/// cannot be migrated (newer schema, failing migration) is left out and logged.
/// </summary>
public sealed partial class AccountStoreMatchAccountReader(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    TimeProvider timeProvider,
    ILogger<AccountStoreMatchAccountReader> logger) : IMatchAccountReader
{
    public async Task<IReadOnlyDictionary<string, AccountSnapshot>> GetSnapshotsAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        if (accountIds.Count == 0)
        {
            return new Dictionary<string, AccountSnapshot>(StringComparer.Ordinal);
        }

        var accounts = await store.GetManyAsync(accountIds, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var snapshots = new Dictionary<string, AccountSnapshot>(StringComparer.Ordinal);
        foreach (var (id, account) in accounts)
        {
            try
            {
                snapshots[id] = AccountSnapshots.ToSnapshot(migrator.Migrate(account), config, now);
            }
            catch (Exception ex) when (ex is AccountMigrationException or AccountSchemaTooNewException)
            {
                LogNotReadable(ex, id);
            }
        }

        return snapshots;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} could not be read for matchmaking (schema or migration problem)")]
    private partial void LogNotReadable(Exception exception, string accountId);
}
