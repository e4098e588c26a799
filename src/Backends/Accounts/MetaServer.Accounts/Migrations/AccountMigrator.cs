using System.Globalization;
using MetaServer.Accounts.Domain;

namespace MetaServer.Accounts.Migrations;

/// <summary>
/// Applies the registered <see cref="IAccountMigration"/> steps to bring an account to
/// <see cref="TargetSchemaVersion"/>. The constructor checks the chain: steps must be contiguous and end at the
/// target, so a gap or a missing step fails at start-up rather than at some player's login.
/// </summary>
public sealed class AccountMigrator
{
    private readonly IAccountMigration[] _steps;

    public AccountMigrator(IEnumerable<IAccountMigration> migrations)
        : this(migrations, Account.CurrentSchemaVersion)
    {
    }

    /// <param name="migrations">The steps.</param>
    /// <param name="targetSchemaVersion">The schema accounts are migrated to; <see cref="Account.CurrentSchemaVersion"/> outside tests.</param>
    /// <exception cref="AccountMigrationException">The chain has a duplicate step, a gap, a missing last step or a step beyond the target.</exception>
    public AccountMigrator(IEnumerable<IAccountMigration> migrations, int targetSchemaVersion)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentOutOfRangeException.ThrowIfNegative(targetSchemaVersion);
        TargetSchemaVersion = targetSchemaVersion;
        var steps = migrations.OrderBy(m => m.FromVersion).ToArray();
        var described = steps.Length == 0
            ? "none"
            : string.Join(", ", steps.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.FromVersion}->{s.FromVersion + 1} ({s.GetType().Name})")));
        for (var i = 0; i < steps.Length; i++)
        {
            var from = steps[i].FromVersion;
            if (from < 0 || from >= targetSchemaVersion)
            {
                throw new AccountMigrationException(
                    $"Account migration {steps[i].GetType().Name} starts at schema version {from}, outside 0..{targetSchemaVersion - 1} (current schema version {targetSchemaVersion}). Registered steps: {described}.");
            }

            if (i > 0 && from == steps[i - 1].FromVersion)
            {
                throw new AccountMigrationException($"Two account migrations start at schema version {from}. Registered steps: {described}.");
            }

            if (i > 0 && from != steps[i - 1].FromVersion + 1)
            {
                throw new AccountMigrationException(
                    $"Account migration chain has a gap: no step from schema version {steps[i - 1].FromVersion + 1} to {steps[i - 1].FromVersion + 2}. Registered steps: {described}.");
            }
        }

        if (steps.Length > 0 && steps[^1].FromVersion != targetSchemaVersion - 1)
        {
            throw new AccountMigrationException(
                $"Account migration chain is missing its last step from schema version {targetSchemaVersion - 1} to {targetSchemaVersion}. Registered steps: {described}.");
        }

        _steps = steps;
        OldestSupportedSchemaVersion = steps.Length == 0 ? targetSchemaVersion : steps[0].FromVersion;
    }

    public int TargetSchemaVersion { get; }

    /// <summary>The oldest schema version the chain can migrate from.</summary>
    public int OldestSupportedSchemaVersion { get; }

    /// <summary>True when <paramref name="account"/> is older than the target and <see cref="Migrate"/> would change it.</summary>
    public bool NeedsMigration(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.SchemaVersion < TargetSchemaVersion;
    }

    /// <summary>
    /// The account at <see cref="TargetSchemaVersion"/>; the same instance when it is already there.
    /// Id and revision are kept: the caller saves the result with a conditional update on the original revision.
    /// </summary>
    /// <exception cref="AccountSchemaTooNewException">The account was written by a newer build.</exception>
    /// <exception cref="AccountMigrationException">The account is older than the chain reaches, or a step failed.</exception>
    public Account Migrate(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (account.SchemaVersion > TargetSchemaVersion)
        {
            throw new AccountSchemaTooNewException(account.AccountId, account.SchemaVersion, TargetSchemaVersion);
        }

        if (account.SchemaVersion < OldestSupportedSchemaVersion)
        {
            throw new AccountMigrationException(
                $"Account '{account.AccountId}' has schema version {account.SchemaVersion}; the oldest version the migrations reach is {OldestSupportedSchemaVersion}.");
        }

        var current = account;
        foreach (var step in _steps)
        {
            if (step.FromVersion < current.SchemaVersion)
            {
                continue;
            }

            Account next;
            try
            {
                next = step.Migrate(current);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new AccountMigrationException(
                    $"Account migration {step.GetType().Name} failed for account '{account.AccountId}' at schema version {step.FromVersion}.", ex);
            }

            if (next is null || next.AccountId != account.AccountId || next.Revision != account.Revision)
            {
                throw new AccountMigrationException(
                    $"Account migration {step.GetType().Name} returned no account or changed the id or revision of account '{account.AccountId}'.");
            }

            current = next with { SchemaVersion = step.FromVersion + 1 };
        }

        return current;
    }
}

/// <summary>The migration chain is invalid, or an account cannot be migrated.</summary>
public class AccountMigrationException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The account was written by a newer build with a schema this build does not know; it must not be overwritten.</summary>
public sealed class AccountSchemaTooNewException(string accountId, int schemaVersion, int supportedSchemaVersion)
    : AccountMigrationException($"Account '{accountId}' has schema version {schemaVersion}, newer than this build's {supportedSchemaVersion}.")
{
    public string AccountId { get; } = accountId;

    public int SchemaVersion { get; } = schemaVersion;

    public int SupportedSchemaVersion { get; } = supportedSchemaVersion;
}
