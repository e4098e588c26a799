using System.Text.Json;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;

namespace MetaServer.Accounts.Tests;

/// <summary>Schema 0 stored the nickname as "name"; schema 1 calls it "nickname".</summary>
internal sealed class RenameNameToNicknameMigration : IAccountMigration
{
    public int FromVersion => 0;

    public Account Migrate(Account account) =>
        account.ExtraFields.TryGetValue("name", out var name)
            ? account with { Nickname = name.GetString() ?? string.Empty, ExtraFields = account.ExtraFields.Remove("name") }
            : account;
}

/// <summary>Test chain (not production): schema 2 adds a "level" field, 1 for existing accounts.</summary>
internal sealed class AddLevelMigration : IAccountMigration
{
    public int FromVersion => 1;

    public Account Migrate(Account account) =>
        account with { ExtraFields = account.ExtraFields.SetItem("level", TestAccounts.Json("1")) };
}

/// <summary>Schema 3 renames "level" to "rank" and doubles it.</summary>
internal sealed class LevelToRankMigration : IAccountMigration
{
    public int FromVersion => 2;

    public Account Migrate(Account account)
    {
        var level = account.ExtraFields["level"].GetInt32();
        return account with
        {
            ExtraFields = account.ExtraFields.Remove("level").SetItem("rank", TestAccounts.Json((level * 2).ToString(System.Globalization.CultureInfo.InvariantCulture))),
        };
    }
}

/// <summary>A step that breaks the rules by changing the revision.</summary>
internal sealed class RevisionChangingMigration : IAccountMigration
{
    public int FromVersion => 0;

    public Account Migrate(Account account) => account with { Revision = account.Revision + 1 };
}

/// <summary>A step that fails.</summary>
internal sealed class ThrowingMigration : IAccountMigration
{
    public int FromVersion => 0;

    public Account Migrate(Account account) => throw new JsonException("bad old document");
}

/// <summary>Stored documents of older schema versions, as an older build wrote them.</summary>
internal static class AccountFixtures
{
    public const string Schema0 = """
        {"schemaVersion":0,"name":"OldTimer","createdAt":"2025-03-01T10:00:00+00:00","lastLoginAt":"2025-03-02T10:00:00+00:00","deviceIds":["fixture-device-0"]}
        """;

    public const string Schema1 = """
        {"schemaVersion":1,"nickname":"MidTimer","createdAt":"2025-06-01T10:00:00+00:00","deviceIds":["fixture-device-1"]}
        """;

    public const string SchemaFromNewerBuild = """
        {"schemaVersion":99,"nickname":"Future","createdAt":"2027-01-01T00:00:00+00:00","deviceIds":["fixture-device-2"],"guild":"g-1"}
        """;

    public static Account Read(string json, string? accountId = null, long revision = 7) =>
        AccountDocumentSerializer.Deserialize(accountId ?? TestAccounts.NewId(), revision, json);
}
