using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Sqlite;
using MetaServer.Testing;
using Microsoft.Data.Sqlite;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// A database file written by table layout 1 (accounts + device_links, <c>user_version</c> 1), built here with the
/// exact statements layout 1 ran, opened by the current store: the links move to identity_links and stay usable.
/// </summary>
public sealed class SqliteAccountStoreUpgradeTests : IDisposable
{
    private const string AccountId = "0f6c2a1e9b7d4c3a8e5f1d2c3b4a5968";
    private const string DeviceA = "device-layout1-a";
    private const string DeviceB = "device-layout1-b";
    private const string HalfFinishedDevice = "device-layout1-half";
    private const string HalfFinishedAccountId = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";

    // What layout 1's AccountDocumentSerializer wrote (camelCase, no identities/bans fields yet).
    private const string Layout1Document =
        """{"schemaVersion":1,"nickname":"Player-a1","createdAt":"2026-01-01T00:00:00+00:00","lastLoginAt":"2026-01-02T00:00:00+00:00","deviceIds":["device-layout1-a","device-layout1-b"],"creationRequestId":"req-layout1"}""";

    private readonly TempDirectory _directory = new();
    private readonly ManualTimeProvider _clock = new(TestAccounts.Epoch.AddDays(30));

    private string DatabasePath => Path.Combine(_directory.Path, "accounts.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task InitializeAsync_Layout1File_MovesDeviceLinksToIdentityLinksAndSetsVersion2()
    {
        await WriteLayout1DatabaseAsync();

        using (var store = new SqliteAccountStore(DatabasePath, timeProvider: _clock))
        {
            var byDevice = await store.FindByDeviceAsync(DeviceA, CancellationToken.None);
            var byIdentity = await store.FindByIdentityAsync(LinkedIdentity.Device(DeviceB), CancellationToken.None);

            Assert.NotNull(byDevice);
            Assert.Equal(AccountId, byDevice.AccountId);
            Assert.Equal(3L, byDevice.Revision);
            Assert.Equal("Player-a1", byDevice.Nickname);
            Assert.Equal(new[] { DeviceA, DeviceB }, byDevice.DeviceIds.ToArray());
            Assert.Equal(AccountId, byIdentity?.AccountId);
            Assert.Null(await store.FindByDeviceAsync("device-never-seen", CancellationToken.None));
        }

        await using var connection = await OpenRawAsync();
        Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA user_version;"));
        Assert.Equal((long)SqliteAccountStore.StoreSchemaVersion, await ScalarAsync(connection, "PRAGMA user_version;"));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'device_links%';"));
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT count(*) FROM identity_links WHERE kind = 'device';"));
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task InitializeAsync_Layout1File_MigratedLinksStillGuardTheirDevices()
    {
        await WriteLayout1DatabaseAsync();
        using var store = new SqliteAccountStore(DatabasePath, timeProvider: _clock);

        // A migrated link has no claim time (0): it must still belong to the account that lists the device.
        var claim = await store.ClaimIdentityAsync(LinkedIdentity.Device(DeviceA), "someone-else", CancellationToken.None);
        var login = await store.CreateForDeviceAsync(DeviceB, TestAccounts.New(DeviceB), CancellationToken.None);

        Assert.False(claim.Claimed);
        Assert.Equal(AccountId, claim.HeldByAccountId);
        Assert.False(login.Created);
        Assert.Equal(AccountId, login.Account.AccountId);
    }

    [Fact]
    public async Task InitializeAsync_Layout1HalfFinishedCreation_NextCreationCompletesItUnderTheClaimedId()
    {
        await WriteLayout1DatabaseAsync();
        using var store = new SqliteAccountStore(DatabasePath, timeProvider: _clock);

        var result = await store.CreateForDeviceAsync(HalfFinishedDevice, TestAccounts.New(HalfFinishedDevice), CancellationToken.None);

        Assert.True(result.Created);
        Assert.Equal(HalfFinishedAccountId, result.Account.AccountId);
        Assert.Equal(HalfFinishedAccountId, (await store.FindByDeviceAsync(HalfFinishedDevice, CancellationToken.None))?.AccountId);
    }

    [Fact]
    public async Task InitializeAsync_UpgradedFileOpenedAgain_ChangesNothing()
    {
        await WriteLayout1DatabaseAsync();
        using (var first = new SqliteAccountStore(DatabasePath, timeProvider: _clock))
        {
            await first.InitializeAsync(CancellationToken.None);
        }

        var before = await SnapshotAsync();
        using (var second = new SqliteAccountStore(DatabasePath, timeProvider: _clock))
        {
            await second.InitializeAsync(CancellationToken.None);
            Assert.Equal(AccountId, (await second.FindByDeviceAsync(DeviceA, CancellationToken.None))?.AccountId);
        }

        var after = await SnapshotAsync();
        Assert.Equal(before, after);
        Assert.Contains("user_version=2", after, StringComparison.Ordinal);
    }

    /// <summary>Layout 1's DDL and writes, verbatim: WAL, accounts + device_links, user_version 1.</summary>
    private async Task WriteLayout1DatabaseAsync()
    {
        await using var connection = await OpenRawAsync();
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;");
        await using (var transaction = connection.BeginTransaction())
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS accounts (
                    account_id     TEXT    NOT NULL PRIMARY KEY,
                    revision       INTEGER NOT NULL,
                    schema_version INTEGER NOT NULL,
                    document       TEXT    NOT NULL
                );
                CREATE TABLE IF NOT EXISTS device_links (
                    device_id  TEXT NOT NULL PRIMARY KEY,
                    account_id TEXT NOT NULL
                );
                CREATE INDEX IF NOT EXISTS device_links_by_account ON device_links (account_id);
                """, transaction);
            await ExecuteAsync(connection, "PRAGMA user_version = 1;", transaction);
            await transaction.CommitAsync();
        }

        // Layout 1's creation: claim the device, then write the account (revision 1), later updates bump the revision.
        foreach (var device in new[] { DeviceA, DeviceB })
        {
            await ExecuteAsync(connection, "INSERT INTO device_links (device_id, account_id) VALUES ($device, $account);", null, ("$device", device), ("$account", AccountId));
        }

        await ExecuteAsync(
            connection,
            "INSERT INTO accounts (account_id, revision, schema_version, document) VALUES ($account, 1, $schema, $document);",
            null,
            ("$account", AccountId),
            ("$schema", 1),
            ("$document", Layout1Document));
        await ExecuteAsync(connection, "UPDATE accounts SET revision = 3 WHERE account_id = $account AND revision = 1;", null, ("$account", AccountId));

        // A creation that crashed between its two writes: the device is claimed, the account was never written.
        await ExecuteAsync(connection, "INSERT INTO device_links (device_id, account_id) VALUES ($device, $account);", null, ("$device", HalfFinishedDevice), ("$account", HalfFinishedAccountId));
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA user_version;"));
    }

    private async Task<string> SnapshotAsync()
    {
        await using var connection = await OpenRawAsync();
        var lines = new List<string> { "user_version=" + await ScalarAsync(connection, "PRAGMA user_version;") };
        foreach (var sql in new[]
                 {
                     "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_master ORDER BY name;",
                     "SELECT kind || '|' || id || '|' || account_id || '|' || claimed_at FROM identity_links ORDER BY kind, id;",
                     "SELECT account_id || '|' || revision || '|' || schema_version || '|' || document FROM accounts ORDER BY account_id;",
                 })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        return string.Join('\n', lines);
    }

    private async Task<SqliteConnection> OpenRawAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
