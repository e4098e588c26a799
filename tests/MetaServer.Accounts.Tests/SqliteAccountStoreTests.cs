using MetaServer.Accounts.Sqlite;
using MetaServer.Accounts.Storage;
using Microsoft.Data.Sqlite;

namespace MetaServer.Accounts.Tests;

/// <summary>The contract suite on <see cref="SqliteAccountStore"/>, plus what only SQLite has.</summary>
public sealed class SqliteAccountStoreTests : AccountStoreContractTests
{
    private readonly TempDirectory _directory = new();
    private SqliteAccountStore? _sqlite;

    // A nested, not yet existing folder: the store must create it.
    private string DatabasePath => Path.Combine(_directory.Path, "nested", "accounts.db");

    protected override async Task<IAccountStore> CreateStoreAsync()
    {
        _sqlite = new SqliteAccountStore(DatabasePath, timeProvider: Clock);
        await _sqlite.InitializeAsync(CancellationToken.None);
        return _sqlite;
    }

    protected override Task DisposeStoreAsync()
    {
        _sqlite?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    protected override async Task SeedHalfFinishedCreationAsync(string deviceId, string claimedAccountId)
    {
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO identity_links (kind, id, account_id, claimed_at) VALUES ('device', $device, $account, 0);";
        command.Parameters.AddWithValue("$device", deviceId);
        command.Parameters.AddWithValue("$account", claimedAccountId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task InitializeAsync_NewFile_OpensNativeSqliteInWalModeWithLayoutVersion()
    {
        Assert.True(File.Exists(DatabasePath));
        await using var connection = await OpenRawAsync();

        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteAccountStore.StoreSchemaVersion, await ScalarAsync(connection, "PRAGMA user_version;"));
        Assert.False(string.IsNullOrEmpty(await ScalarAsync(connection, "SELECT sqlite_version();") as string));
    }

    [Fact]
    public async Task SecondStoreOnSameFile_AfterRestart_ReadsWhatFirstWrote()
    {
        var device = TestAccounts.NewDeviceId();
        var account = TestAccounts.New(device);
        await Store.CreateForDeviceAsync(device, account, CancellationToken.None);

        using var reopened = new SqliteAccountStore(DatabasePath);
        var found = await reopened.FindByDeviceAsync(device, CancellationToken.None);

        Assert.Equal(account.AccountId, found?.AccountId);
    }

    [Fact]
    public async Task InitializeAsync_NewerTableLayout_Throws()
    {
        await using (var connection = await OpenRawAsync())
        {
            await ScalarAsync(connection, $"PRAGMA user_version = {SqliteAccountStore.StoreSchemaVersion + 1};");
        }

        using var newer = new SqliteAccountStore(DatabasePath);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.InitializeAsync(CancellationToken.None));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryUpdateAsync_ChangedSchemaVersion_UpdatesSchemaColumn()
    {
        var device = TestAccounts.NewDeviceId();
        var account = TestAccounts.New(device, schemaVersion: 0);
        await Store.CreateForDeviceAsync(device, account, CancellationToken.None);

        await Store.TryUpdateAsync(account with { SchemaVersion = 1 }, 1, CancellationToken.None);

        await using var connection = await OpenRawAsync();
        Assert.Equal(1L, await ScalarAsync(connection, $"SELECT schema_version FROM accounts WHERE account_id = '{account.AccountId}';"));
    }

    private async Task<SqliteConnection> OpenRawAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
