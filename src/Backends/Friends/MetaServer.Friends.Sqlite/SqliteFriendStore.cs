using System.Globalization;
using System.Text;
using MetaServer.Friends.Storage;
using MetaServer.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Sqlite;

/// <summary>
/// <see cref="IFriendStore"/> on one SQLite file (WAL journal). Table <c>friend_items</c> holds the key, the version
/// (condition of every write) and the value bytes. Every write is one conditional statement (an insert that does
/// nothing when the key exists, or an update/delete on <c>version = expected</c>), so writes of other processes on
/// the same file are safe too; writes of this process are serialised in memory and writers of other processes wait up
/// to the busy timeout. Every call uses its own pooled connection.
/// </summary>
public sealed class SqliteFriendStore : IFriendStore, IDisposable
{
    /// <summary>Version of the table layout, kept in <c>PRAGMA user_version</c>.</summary>
    public const int StoreSchemaVersion = 1;

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Used by dependency injection: path from <see cref="SqliteFriendStoreOptions.Path"/> or <c>friends.db</c> under the data folder.</summary>
    public SqliteFriendStore(IOptions<SqliteFriendStoreOptions> options, IOptions<MetaServerOptions> serverOptions)
        : this(ResolvePath(options, serverOptions), options.Value.BusyTimeout)
    {
    }

    /// <param name="databasePath">The database file; its folder is created when missing.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock; 10 s when null.</param>
    public SqliteFriendStore(string databasePath, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = System.IO.Path.GetFullPath(databasePath);
        var timeout = busyTimeout ?? TimeSpan.FromSeconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
        }.ToString();
    }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Creates the folder, the file and the table (idempotent). Every other call does this first when needed.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            var folder = System.IO.Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            await using var connection = await OpenConnectionAsync(cancellationToken);
            var journalMode = await ScalarAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
            if (!string.Equals(Convert.ToString(journalMode, CultureInfo.InvariantCulture), "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite database '{DatabasePath}' could not switch to WAL journal mode (got '{journalMode}').");
            }

            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var version = Convert.ToInt64(await ScalarAsync(connection, transaction, "PRAGMA user_version;", cancellationToken), CultureInfo.InvariantCulture);
            if (version > StoreSchemaVersion)
            {
                throw new InvalidOperationException(
                    $"SQLite database '{DatabasePath}' has table layout version {version}, newer than this build's {StoreSchemaVersion}.");
            }

            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS friend_items (
                    key     TEXT    NOT NULL PRIMARY KEY,
                    version INTEGER NOT NULL,
                    value   BLOB    NOT NULL
                );
                """, cancellationToken);
            await ExecuteAsync(connection, transaction, $"PRAGMA user_version = {StoreSchemaVersion};", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    public async ValueTask<FriendStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKey(key);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT key, version, value FROM friend_items WHERE key = $key;", [("$key", key)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadItem(reader) : null;
    }

    public async ValueTask<IReadOnlyList<FriendStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKeys(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT key, version, value FROM friend_items WHERE key IN (");
        for (var i = 0; i < keys.Count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"$k{i}");
            sql.Append(i == 0 ? name : "," + name);
            command.Parameters.AddWithValue(name, keys[i]);
        }

        command.CommandText = sql.Append(");").ToString();
        var found = new List<FriendStoreItem>(keys.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(ReadItem(reader));
        }

        return found;
    }

    public async ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateWrite(key, value, expectedVersion);
        var newVersion = checked(expectedVersion + 1);
        var sql = expectedVersion == 0
            ? "INSERT INTO friend_items (key, version, value) VALUES ($key, $version, $value) ON CONFLICT (key) DO NOTHING;"
            : "UPDATE friend_items SET version = $version, value = $value WHERE key = $key AND version = $expected;";
        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var changed = await ExecuteAsync(
                connection, null, sql, cancellationToken, ("$key", key), ("$version", newVersion), ("$expected", expectedVersion), ("$value", value.ToArray()));
            return changed == 1 ? newVersion : null;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKey(key);
        if (expectedVersion <= 0)
        {
            // No stored item has version 0 or less: an absent item cannot be deleted.
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var changed = await ExecuteAsync(
                connection, null, "DELETE FROM friend_items WHERE key = $key AND version = $expected;", cancellationToken, ("$key", key), ("$expected", expectedVersion));
            return changed == 1;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose()
    {
        _writeGate.Dispose();
        _initGate.Dispose();
    }

    private static FriendStoreItem ReadItem(SqliteDataReader reader)
    {
        var key = reader.GetString(0);
        var version = reader.GetInt64(1);
        var value = reader.IsDBNull(2) ? [] : (byte[])reader.GetValue(2);
        return new FriendStoreItem(key, value, version);
    }

    private static string ResolvePath(IOptions<SqliteFriendStoreOptions> options, IOptions<MetaServerOptions> serverOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serverOptions);
        var configured = options.Value.Path;
        return string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(serverOptions.Value.DataDirFullPath, SqliteFriendStoreOptions.DefaultFileName)
            : System.IO.Path.GetFullPath(configured);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await OpenConnectionAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMs};"), cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<int> ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, []);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
