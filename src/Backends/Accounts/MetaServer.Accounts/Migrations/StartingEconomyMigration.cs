using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;

namespace MetaServer.Accounts.Migrations;

/// <summary>
/// Schema 1 → 2: accounts from before the economy get the game config's starting wallet, inventory and loadout
/// (exactly what a new account starts with), XP 0 and no quest, daily-login, purchase or mutation history.
/// Runs lazily when the account is next loaded by a login or a mutation.
/// </summary>
public sealed class StartingEconomyMigration(GameConfig.GameConfig config) : IAccountMigration
{
    public int FromVersion => 1;

    public Account Migrate(Account account) => AccountRules.WithStartingGrant(account, config);
}
