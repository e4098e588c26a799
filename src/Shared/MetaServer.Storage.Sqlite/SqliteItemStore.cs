using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace MetaServer.Storage.Sqlite;

/// <summary>
/// <see cref="IItemStore"/> on one SQLite file (WAL journal). One table (its name given by the owning service, e.g.
/// <c>match_items</c>) holds the key, the version
/// (condition of every write), the value bytes and the expiry in Unix milliseconds (null: never). Every write is one
/// conditional statement (an insert that replaces only an expired row, or an update/delete on <c>version = expected</c>
/// of a live row), so writes of other processes on the same file are safe too; writes of this process are serialised
/// in memory and writers of other processes wait up to the busy timeout. Expired rows read as absent and are removed
/// when overwritten and at start (<see cref="PurgeExpiredAsync"/>). Every call uses its own pooled connection.
/// Expiry times are kept to the millisecond.
/// </summary>
public class SqliteItemStore : IItemStore, IDisposable
{
    /// <summary>Version of the table layout, kept in <c>PRAGMA user_version</c>.</summary>
    public const int StoreSchemaVersion = 1;

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    /// <param name="databasePath">The database file; its folder is created when missing.</param>
    /// <param name="tableName">The table of the items: lower-case letters, digits and underscores, starting with a letter.</param>
    /// <param name="timeProvider">Clock that decides expiry.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock; 10 s when null.</param>
    public SqliteItemStore(string databasePath, string tableName, TimeProvider timeProvider, TimeSpan? busyTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!IsValidTableName(tableName))
        {
            throw new ArgumentException(
                $"'{tableName}' is not a valid item table name (lower-case letters, digits and underscores, starting with a letter).", nameof(tableName));
        }

        TableName = tableName;
        _timeProvider = timeProvider;
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

    /// <summary>The table of the items.</summary>
    public string TableName { get; }

    /// <summary>Whether <paramref name="tableName"/> is a plain SQL identifier the store accepts (it is put into statements as it is).</summary>
    public static bool IsValidTableName(string? tableName) =>
        !string.IsNullOrEmpty(tableName)
        && tableName.Length <= 64
        && char.IsAsciiLetterLower(tableName[0])
        && tableName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>Creates the folder, the file and the table (idempotent) and drops expired rows. Every other call does this first when needed.</summary>
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

            await ExecuteAsync(connection, transaction, $"""
                CREATE TABLE IF NOT EXISTS {TableName} (
                    key           TEXT    NOT NULL PRIMARY KEY,
                    version       INTEGER NOT NULL,
                    value         BLOB    NOT NULL,
                    expires_at_ms INTEGER NULL
                );
                """, cancellationToken);
            await ExecuteAsync(connection, transaction, $"PRAGMA user_version = {StoreSchemaVersion};", cancellationToken);
            await ExecuteAsync(
                connection, transaction, $"DELETE FROM {TableName} WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= $now;", cancellationToken, ("$now", NowMs()));
            await transaction.CommitAsync(cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    /// <summary>Deletes every expired row (they already read as absent); returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return await ExecuteAsync(
                connection, null, $"DELETE FROM {TableName} WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= $now;", cancellationToken, ("$now", NowMs()));
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKey(key);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(
            connection,
            null,
            $"SELECT key, version, value, expires_at_ms FROM {TableName} WHERE key = $key AND (expires_at_ms IS NULL OR expires_at_ms > $now);",
            [("$key", key), ("$now", NowMs())]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadItem(reader) : null;
    }

    public async ValueTask<IReadOnlyList<StoredItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKeys(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT key, version, value, expires_at_ms FROM {TableName} WHERE (expires_at_ms IS NULL OR expires_at_ms > $now) AND key IN (");
        command.Parameters.AddWithValue("$now", NowMs());
        for (var i = 0; i < keys.Count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"$k{i}");
            sql.Append(i == 0 ? name : "," + name);
            command.Parameters.AddWithValue(name, keys[i]);
        }

        command.CommandText = sql.Append(");").ToString();
        var found = new List<StoredItem>(keys.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(ReadItem(reader));
        }

        return found;
    }

    public async ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateWrite(key, value, expectedVersion);
        var newVersion = checked(expectedVersion + 1);
        object expiry = expiresAt is { } at ? at.ToUnixTimeMilliseconds() : DBNull.Value;

        // Insert when absent; replace only a row that has expired (it reads as absent, so version 0 applies to it).
        // Otherwise update only the live row of the expected version.
        var sql = expectedVersion == 0
            ? $"""
              INSERT INTO {TableName} (key, version, value, expires_at_ms) VALUES ($key, $version, $value, $expires)
              ON CONFLICT (key) DO UPDATE SET version = excluded.version, value = excluded.value, expires_at_ms = excluded.expires_at_ms
              WHERE {TableName}.expires_at_ms IS NOT NULL AND {TableName}.expires_at_ms <= $now;
              """
            : $"""
              UPDATE {TableName} SET version = $version, value = $value, expires_at_ms = $expires
              WHERE key = $key AND version = $expected AND (expires_at_ms IS NULL OR expires_at_ms > $now);
              """;
        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var changed = await ExecuteAsync(
                connection,
                null,
                sql,
                cancellationToken,
                ("$key", key),
                ("$version", newVersion),
                ("$expected", expectedVersion),
                ("$value", value.ToArray()),
                ("$expires", expiry),
                ("$now", NowMs()));
            return changed == 1 ? newVersion : null;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKey(key);
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
                connection,
                null,
                $"DELETE FROM {TableName} WHERE key = $key AND version = $expected AND (expires_at_ms IS NULL OR expires_at_ms > $now);",
                cancellationToken,
                ("$key", key),
                ("$expected", expectedVersion),
                ("$now", NowMs()));
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

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static StoredItem ReadItem(SqliteDataReader reader)
    {
        var key = reader.GetString(0);
        var version = reader.GetInt64(1);
        var value = reader.IsDBNull(2) ? [] : (byte[])reader.GetValue(2);
        DateTimeOffset? expiresAt = reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3));
        return new StoredItem(key, value, version, expiresAt);
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
