using MetaServer.Storage.Sqlite;
using MetaServer.Testing;
using Microsoft.Data.Sqlite;

namespace MetaServer.Storage.Tests.Items;

/// <summary>What only the SQLite store has: the file, its layout version, persistence and the purge of expired rows.</summary>
public sealed class SqliteItemStoreTests : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));

    // A nested, not yet existing folder: the store must create it.
    private string DatabasePath => Path.Combine(_folder.Path, "nested", "items.db");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task InitializeAsync_NewFile_CreatesFileInWalModeWithLayoutVersion()
    {
        using var store = new SqliteItemStore(DatabasePath, "test_items", _clock);

        await store.InitializeAsync(CancellationToken.None);

        Assert.True(File.Exists(DatabasePath));
        await using var connection = await OpenRawAsync();
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal((long)SqliteItemStore.StoreSchemaVersion, await ScalarAsync(connection, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task SecondStoreOnSameFile_AfterRestart_ReadsAndConditionsOnWhatFirstWrote()
    {
        using (var first = new SqliteItemStore(DatabasePath, "test_items", _clock))
        {
            await first.TryWriteAsync("match#m1", new byte[] { 1, 2 }, 0, null);
            await first.TryWriteAsync("match#m1", new byte[] { 3, 4 }, 1, _clock.GetUtcNow().AddMinutes(5));
        }

        using var second = new SqliteItemStore(DatabasePath, "test_items", _clock);
        var item = await second.GetAsync("match#m1");

        Assert.NotNull(item);
        Assert.Equal(2, item.Version);
        Assert.Equal(new byte[] { 3, 4 }, item.Value.ToArray());
        Assert.Equal(_clock.GetUtcNow().AddMinutes(5), item.ExpiresAt);
        Assert.Null(await second.TryWriteAsync("match#m1", new byte[] { 5 }, 1, null));
        Assert.Equal(3, await second.TryWriteAsync("match#m1", new byte[] { 5 }, 2, null));
    }

    [Fact]
    public async Task InitializeAsync_NewerLayoutVersion_ThrowsNamingIt()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using (var connection = await OpenRawAsync())
        {
            await ScalarAsync(connection, $"PRAGMA user_version = {SqliteItemStore.StoreSchemaVersion + 1};");
        }

        using var store = new SqliteItemStore(DatabasePath, "test_items", _clock);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Items")]
    [InlineData("1items")]
    [InlineData("items; DROP TABLE x")]
    [InlineData("items-x")]
    public void Constructor_InvalidTableName_Throws(string tableName)
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteItemStore(DatabasePath, tableName, _clock));

        Assert.Equal("tableName", error.ParamName);
    }

    [Fact]
    public async Task TwoTablesInOneFile_SameKey_KeptApart()
    {
        using var matches = new SqliteItemStore(DatabasePath, "match_items", _clock);
        using var payments = new SqliteItemStore(DatabasePath, "payment_items", _clock);
        await matches.TryWriteAsync("k", new byte[] { 1 }, 0, null);

        Assert.Null(await payments.GetAsync("k"));
        Assert.Equal(1, await payments.TryWriteAsync("k", new byte[] { 2 }, 0, null));
        Assert.Equal(new byte[] { 1 }, (await matches.GetAsync("k"))!.Value.ToArray());
    }

    [Fact]
    public async Task PurgeExpiredAsync_ExpiredRows_DeletesOnlyThem()
    {
        using var store = new SqliteItemStore(DatabasePath, "test_items", _clock);
        await store.TryWriteAsync("ticket#old", new byte[] { 1 }, 0, _clock.GetUtcNow().AddSeconds(1));
        await store.TryWriteAsync("ticket#live", new byte[] { 2 }, 0, _clock.GetUtcNow().AddHours(1));
        await store.TryWriteAsync("match#forever", new byte[] { 3 }, 0, null);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, await store.PurgeExpiredAsync(CancellationToken.None));

        await using var connection = await OpenRawAsync();
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT COUNT(*) FROM test_items;"));
        Assert.NotNull(await store.GetAsync("ticket#live"));
    }

    [Fact]
    public async Task ExpiresAt_SubSecond_KeptToTheMillisecond()
    {
        using var store = new SqliteItemStore(DatabasePath, "test_items", _clock);
        var expiresAt = _clock.GetUtcNow().AddMilliseconds(1_250);
        await store.TryWriteAsync("ticket#t", new byte[] { 1 }, 0, expiresAt);

        Assert.Equal(expiresAt, (await store.GetAsync("ticket#t"))!.ExpiresAt);
        _clock.Advance(TimeSpan.FromMilliseconds(1_249));
        Assert.NotNull(await store.GetAsync("ticket#t"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await store.GetAsync("ticket#t"));
    }

    [Fact]
    public async Task TwoStoresOnOneFile_ConcurrentCreates_ExactlyOneWins()
    {
        using var a = new SqliteItemStore(DatabasePath, "test_items", _clock);
        using var b = new SqliteItemStore(DatabasePath, "test_items", _clock);
        await a.InitializeAsync(CancellationToken.None);
        await b.InitializeAsync(CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? a : b).TryWriteAsync("player#p", new byte[] { (byte)i }, 0, null)))).WithTimeout("concurrent creates");

        Assert.Single(results, r => r is not null);
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
