using System.Text.Json.Nodes;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// Every fixture of an older schema (Fixtures/accounts/v&lt;N&gt;/*.json) migrated by the production chain with the
/// tests' game config must give exactly the document in Fixtures/accounts/v&lt;current&gt;/ of the same name.
/// </summary>
public sealed class AccountMigrationFixtureTests
{
    private static string FixturesDir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "accounts");

    public static TheoryData<string, string> OldFixtures()
    {
        var data = new TheoryData<string, string>();
        foreach (var versionDir in Directory.GetDirectories(FixturesDir).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(versionDir) == $"v{Account.CurrentSchemaVersion}")
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(versionDir, "*.json").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(versionDir), Path.GetFileName(file));
            }
        }

        return data;
    }

    [Fact]
    public void Fixtures_EveryOlderSchemaVersion_HasAtLeastOne()
    {
        var migrator = ProductionMigrator();
        for (var version = migrator.OldestSupportedSchemaVersion; version < Account.CurrentSchemaVersion; version++)
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(FixturesDir, $"v{version}"), "*.json"));
        }
    }

    [Theory]
    [MemberData(nameof(OldFixtures))]
    public void Migrate_OldFixture_GivesExpectedCurrentDocument(string versionDir, string fileName)
    {
        var old = AccountDocumentSerializer.Deserialize("fixture-account", 7, File.ReadAllText(Path.Combine(FixturesDir, versionDir, fileName)));

        var migrated = ProductionMigrator().Migrate(old);

        Assert.Equal("fixture-account", migrated.AccountId);
        Assert.Equal(7, migrated.Revision);
        Assert.Equal(Account.CurrentSchemaVersion, migrated.SchemaVersion);
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(FixturesDir, $"v{Account.CurrentSchemaVersion}", fileName)));
        var actual = JsonNode.Parse(AccountDocumentSerializer.Serialize(migrated));
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Migrated {versionDir}/{fileName}:\n{actual}\nexpected:\n{expected}");
    }

    [Fact]
    public async Task Login_V1Fixture_UpgradedOnceAndSnapshotShowsStartingGrant()
    {
        using var harness = new HandlerHarness();
        var seeded = await harness.SeedAsync(File.ReadAllText(Path.Combine(FixturesDir, "v1", "basic.json")));

        var login = await harness.LoginAsync("fixture-device-1");

        Assert.Equal(ResultCode.Ok, login.Result.Code);
        Assert.Equal(seeded.AccountId, login.Account.AccountId);
        Assert.Equal("MidTimer", login.Account.Nickname);
        Assert.Equal(1000, login.Account.Wallet["gold"]);
        Assert.Equal("hero.a", login.Account.Loadout.Hero);
        var stored = await harness.Store.GetAsync(seeded.AccountId, CancellationToken.None);
        Assert.Equal(2, stored?.SchemaVersion);
        Assert.Equal(2, stored?.Revision);
    }

    [Fact]
    public async Task Purchase_OnV1AccountNotYetLoggedInWithThisBuild_MigratesAndAppliesInOneWrite()
    {
        using var harness = new HandlerHarness();
        var seeded = await harness.SeedAsync(File.ReadAllText(Path.Combine(FixturesDir, "v1", "basic.json")));

        var reply = await harness.PurchaseAsync(seeded.AccountId, "offer.gem");

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal(900, reply.Account.Account.Wallet["gold"]);
        var stored = await harness.Store.GetAsync(seeded.AccountId, CancellationToken.None);
        Assert.Equal(2, stored?.SchemaVersion);
        Assert.Equal(2, stored?.Revision);
    }

    private static AccountMigrator ProductionMigrator() => new([new StartingEconomyMigration(TestGameConfig.Instance)]);
}
