using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;

namespace MetaServer.Accounts.Tests;

public sealed class AccountMigratorTests
{
    private static readonly IAccountMigration[] FullChainTo3 = [new LevelToRankMigration(), new RenameNameToNicknameMigration(), new AddLevelMigration()];

    [Fact]
    public void Constructor_NoMigrations_TargetsCurrentSchemaVersion()
    {
        var migrator = new AccountMigrator([]);

        Assert.Equal(Account.CurrentSchemaVersion, migrator.TargetSchemaVersion);
        Assert.Equal(Account.CurrentSchemaVersion, migrator.OldestSupportedSchemaVersion);
    }

    [Fact]
    public void Migrate_Schema0FixtureThroughChainTo3_AppliesEveryStepInOrder()
    {
        var migrator = new AccountMigrator(FullChainTo3, targetSchemaVersion: 3);
        var old = AccountFixtures.Read(AccountFixtures.Schema0);

        var migrated = migrator.Migrate(old);

        Assert.Equal(3, migrated.SchemaVersion);
        Assert.Equal("OldTimer", migrated.Nickname);
        Assert.False(migrated.ExtraFields.ContainsKey("name"));
        Assert.False(migrated.ExtraFields.ContainsKey("level"));
        Assert.Equal(2, migrated.ExtraFields["rank"].GetInt32());
        Assert.Equal(old.AccountId, migrated.AccountId);
        Assert.Equal(old.Revision, migrated.Revision);
        Assert.Equal(old.CreatedAt, migrated.CreatedAt);
        Assert.Equal(["fixture-device-0"], migrated.DeviceIds.ToArray());
    }

    [Fact]
    public void Migrate_Schema1FixtureThroughChainTo3_AppliesOnlyLaterSteps()
    {
        var migrator = new AccountMigrator(FullChainTo3, targetSchemaVersion: 3);
        var old = AccountFixtures.Read(AccountFixtures.Schema1);

        var migrated = migrator.Migrate(old);

        Assert.Equal(3, migrated.SchemaVersion);
        Assert.Equal("MidTimer", migrated.Nickname);
        Assert.Equal(2, migrated.ExtraFields["rank"].GetInt32());
    }

    [Fact]
    public void Migrate_MigratedAccountStoredAndReadBack_KeepsMigratedFields()
    {
        var migrator = new AccountMigrator(FullChainTo3, targetSchemaVersion: 3);
        var migrated = migrator.Migrate(AccountFixtures.Read(AccountFixtures.Schema0));

        var reread = AccountDocumentSerializer.Deserialize(migrated.AccountId, migrated.Revision, AccountDocumentSerializer.Serialize(migrated));

        Assert.Equal(3, reread.SchemaVersion);
        Assert.Equal("OldTimer", reread.Nickname);
        Assert.Equal(2, reread.ExtraFields["rank"].GetInt32());
        Assert.False(migrator.NeedsMigration(reread));
    }

    [Fact]
    public void Migrate_AccountAtTarget_ReturnsSameInstance()
    {
        var migrator = new AccountMigrator([new RenameNameToNicknameMigration(), new AddLevelMigration()]);
        var current = TestAccounts.New(TestAccounts.NewDeviceId());

        Assert.False(migrator.NeedsMigration(current));
        Assert.Same(current, migrator.Migrate(current));
    }

    [Fact]
    public void Migrate_NewerSchemaThanTarget_ThrowsSchemaTooNew()
    {
        var migrator = new AccountMigrator([]);
        var future = AccountFixtures.Read(AccountFixtures.SchemaFromNewerBuild);

        var error = Assert.Throws<AccountSchemaTooNewException>(() => migrator.Migrate(future));

        Assert.Equal(99, error.SchemaVersion);
        Assert.Equal(Account.CurrentSchemaVersion, error.SupportedSchemaVersion);
    }

    [Fact]
    public void Migrate_OlderThanOldestStep_ThrowsMigrationException()
    {
        var migrator = new AccountMigrator([]);

        var error = Assert.Throws<AccountMigrationException>(() => migrator.Migrate(AccountFixtures.Read(AccountFixtures.Schema0)));

        Assert.Contains("schema version 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Migrate_StepChangesRevision_ThrowsMigrationException()
    {
        var migrator = new AccountMigrator([new RevisionChangingMigration()], targetSchemaVersion: 1);

        Assert.Throws<AccountMigrationException>(() => migrator.Migrate(AccountFixtures.Read(AccountFixtures.Schema0)));
    }

    [Fact]
    public void Migrate_StepThrows_WrapsInMigrationExceptionNamingTheStep()
    {
        var migrator = new AccountMigrator([new ThrowingMigration()], targetSchemaVersion: 1);

        var error = Assert.Throws<AccountMigrationException>(() => migrator.Migrate(AccountFixtures.Read(AccountFixtures.Schema0)));

        Assert.Contains(nameof(ThrowingMigration), error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void Constructor_GapInChain_ThrowsNamingMissingStep()
    {
        var error = Assert.Throws<AccountMigrationException>(
            () => new AccountMigrator([new RenameNameToNicknameMigration(), new LevelToRankMigration()], targetSchemaVersion: 3));

        Assert.Contains("gap", error.Message, StringComparison.Ordinal);
        Assert.Contains("from schema version 1 to 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MissingLastStep_Throws()
    {
        var error = Assert.Throws<AccountMigrationException>(
            () => new AccountMigrator([new RenameNameToNicknameMigration(), new AddLevelMigration()], targetSchemaVersion: 3));

        Assert.Contains("from schema version 2 to 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DuplicateStep_Throws()
    {
        var error = Assert.Throws<AccountMigrationException>(
            () => new AccountMigrator([new RenameNameToNicknameMigration(), new ThrowingMigration()]));

        Assert.Contains("Two account migrations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_StepBeyondCurrentSchema_Throws()
    {
        // With CurrentSchemaVersion = 2 a step from 2 to 3 has nothing to migrate to.
        Assert.Throws<AccountMigrationException>(
            () => new AccountMigrator([new RenameNameToNicknameMigration(), new AddLevelMigration(), new LevelToRankMigration()]));
    }
}
