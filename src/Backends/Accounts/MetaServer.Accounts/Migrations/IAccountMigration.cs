using MetaServer.Accounts.Domain;

namespace MetaServer.Accounts.Migrations;

/// <summary>
/// One step of the lazy account migration chain: turns an account of schema <see cref="FromVersion"/> into one of
/// schema <see cref="FromVersion"/> + 1. Register every step with
/// <c>services.AddSingleton&lt;IAccountMigration, MyStep&gt;()</c>. Steps run when an account is read at login and
/// the result is saved with the login update; accounts are never migrated in bulk.
/// </summary>
public interface IAccountMigration
{
    int FromVersion { get; }

    /// <summary>
    /// Returns the migrated account. Old fields this build no longer knows are in <see cref="Account.ExtraFields"/>;
    /// a step that consumes one should remove it. The migrator sets the schema version; id and revision must not change.
    /// </summary>
    Account Migrate(Account account);
}
