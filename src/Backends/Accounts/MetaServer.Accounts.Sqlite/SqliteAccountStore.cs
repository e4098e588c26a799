using System.Globalization;
using System.Text;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Storage;
using MetaServer.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Sqlite;

/// <summary>
/// <see cref="IAccountStore"/> on one SQLite file (WAL journal). Table <c>accounts</c> holds the id, the revision
/// (condition of every update), the schema version and the JSON document; table <c>identity_links</c> maps identities
/// (kind + id: devices, custom ids, provider accounts) to account ids with their claim time (layout 1's
/// <c>device_links</c> is migrated into it on open). Every call uses its own pooled connection, so the store is safe to use from many threads;
/// writes of this process are serialised in memory and writers of other processes wait up to the busy timeout.
/// Device creation keeps the same order and recovery rules as a store without transactions (claim device, then
/// write account; a claim without account is completed by the next creation), inside one transaction here.
/// </summary>
public sealed class SqliteAccountStore : IAccountStore, IDisposable
{
    /// <summary>Version of the table layout, kept in <c>PRAGMA user_version</c>.</summary>
    public const int StoreSchemaVersion = 2;

    private const int MaxIdsPerQuery = 500;

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Used by dependency injection: path from <see cref="SqliteAccountStoreOptions.Path"/> or <c>accounts.db</c> under the data folder.</summary>
    public SqliteAccountStore(IOptions<SqliteAccountStoreOptions> options, IOptions<MetaServerOptions> serverOptions, TimeProvider? timeProvider = null)
        : this(ResolvePath(options, serverOptions), options.Value.BusyTimeout, timeProvider)
    {
    }

    /// <param name="databasePath">The database file; its folder is created when missing.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock; 10 s when null.</param>
    /// <param name="timeProvider">Clock of identity claim timestamps; the system clock when null.</param>
    public SqliteAccountStore(string databasePath, TimeSpan? busyTimeout = null, TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
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

    /// <summary>Creates the folder, the file and the tables (idempotent). Every other call does this first when needed.</summary>
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
                CREATE TABLE IF NOT EXISTS accounts (
                    account_id     TEXT    NOT NULL PRIMARY KEY,
                    revision       INTEGER NOT NULL,
                    schema_version INTEGER NOT NULL,
                    document       TEXT    NOT NULL
                );
                CREATE TABLE IF NOT EXISTS identity_links (
                    kind       TEXT    NOT NULL,
                    id         TEXT    NOT NULL,
                    account_id TEXT    NOT NULL,
                    claimed_at INTEGER NOT NULL,
                    PRIMARY KEY (kind, id)
                );
                CREATE INDEX IF NOT EXISTS identity_links_by_account ON identity_links (account_id);
                """, cancellationToken);
            if (version == 1)
            {
                // Layout 1 kept devices in device_links; they become identity links of kind "device".
                await ExecuteAsync(connection, transaction, """
                    INSERT OR IGNORE INTO identity_links (kind, id, account_id, claimed_at)
                        SELECT 'device', device_id, account_id, 0 FROM device_links;
                    DROP TABLE device_links;
                    """, cancellationToken);
            }

            await ExecuteAsync(connection, transaction, $"PRAGMA user_version = {StoreSchemaVersion};", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    public async Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAccountAsync(connection, null, accountId, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, Account>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        var ids = accountIds.Distinct(StringComparer.Ordinal).ToArray();
        var found = new Dictionary<string, Account>(StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return found;
        }

        await using var connection = await OpenAsync(cancellationToken);
        foreach (var chunk in ids.Chunk(MaxIdsPerQuery))
        {
            await using var command = connection.CreateCommand();
            var sql = new StringBuilder("SELECT account_id, revision, document FROM accounts WHERE account_id IN (");
            for (var i = 0; i < chunk.Length; i++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"$id{i}");
                sql.Append(i == 0 ? name : "," + name);
                command.Parameters.AddWithValue(name, chunk[i]);
            }

            command.CommandText = sql.Append(");").ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var account = ReadAccount(reader);
                found[account.AccountId] = account;
            }
        }

        return found;
    }

    public Task<Account?> FindByDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        return FindByIdentityAsync(LinkedIdentity.Device(deviceId), cancellationToken);
    }

    public Task<DeviceAccountResult> CreateForDeviceAsync(string deviceId, Account newAccount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(newAccount);
        if (!newAccount.DeviceIds.Contains(deviceId, StringComparer.Ordinal))
        {
            throw new ArgumentException("A new account must list the device it is created for.", nameof(newAccount));
        }

        return CreateForIdentityAsync(LinkedIdentity.Device(deviceId), newAccount, cancellationToken);
    }

    public async Task<Account?> FindByIdentityAsync(LinkedIdentity identity, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.account_id, a.revision, a.document
            FROM identity_links l JOIN accounts a ON a.account_id = l.account_id
            WHERE l.kind = $kind AND l.id = $id;
            """;
        command.Parameters.AddWithValue("$kind", identity.KindName);
        command.Parameters.AddWithValue("$id", identity.Id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var account = ReadAccount(reader);
        return account.HasIdentity(identity) ? account : null;
    }

    public async Task<DeviceAccountResult> CreateForIdentityAsync(LinkedIdentity identity, Account newAccount, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        ArgumentNullException.ThrowIfNull(newAccount);
        if (newAccount.Revision != 1)
        {
            throw new ArgumentException("A new account must have revision 1.", nameof(newAccount));
        }

        if (!newAccount.HasIdentity(identity))
        {
            throw new ArgumentException("A new account must list the identity it is created for.", nameof(newAccount));
        }

        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            // BEGIN IMMEDIATE: take the write lock first, so the read below cannot go stale before the writes.
            await using var transaction = connection.BeginTransaction(deferred: false);

            // 1. Claim the identity (or find the existing claim).
            var claim = await ReadClaimAsync(connection, transaction, identity, cancellationToken);
            Account toWrite;
            if (claim is { } held)
            {
                var existing = await ReadAccountAsync(connection, transaction, held.AccountId, cancellationToken);
                if (existing is null)
                {
                    // A half-finished creation: the identity is claimed but its account is missing. Complete it.
                    toWrite = newAccount with { AccountId = held.AccountId };
                }
                else if (existing.HasIdentity(identity))
                {
                    await transaction.CommitAsync(cancellationToken);
                    return new DeviceAccountResult(existing, Created: false);
                }
                else if (IsStale(held.ClaimedAtMs))
                {
                    // A dangling claim nobody completed: take it over.
                    await WriteClaimAsync(connection, transaction, identity, newAccount.AccountId, replace: true, cancellationToken);
                    toWrite = newAccount;
                }
                else
                {
                    throw new IdentityClaimBusyException(identity.KindName);
                }
            }
            else
            {
                await WriteClaimAsync(connection, transaction, identity, newAccount.AccountId, replace: false, cancellationToken);
                toWrite = newAccount;
            }

            // 2. Write the account.
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO accounts (account_id, revision, schema_version, document) VALUES ($account, 1, $schema, $document);",
                cancellationToken,
                ("$account", toWrite.AccountId),
                ("$schema", toWrite.SchemaVersion),
                ("$document", AccountDocumentSerializer.Serialize(toWrite)));
            await transaction.CommitAsync(cancellationToken);
            return new DeviceAccountResult(toWrite, Created: true);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<IdentityClaimResult> ClaimIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            var claim = await ReadClaimAsync(connection, transaction, identity, cancellationToken);
            if (claim is { } held && !string.Equals(held.AccountId, accountId, StringComparison.Ordinal))
            {
                var holder = await ReadAccountAsync(connection, transaction, held.AccountId, cancellationToken);
                if (holder is null || holder.HasIdentity(identity) || !IsStale(held.ClaimedAtMs))
                {
                    return IdentityClaimResult.HeldBy(held.AccountId);
                }

                await WriteClaimAsync(connection, transaction, identity, accountId, replace: true, cancellationToken);
            }
            else if (claim is null)
            {
                await WriteClaimAsync(connection, transaction, identity, accountId, replace: false, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return IdentityClaimResult.Success;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task ReleaseIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken)
    {
        ValidateIdentity(identity);
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await ExecuteAsync(
                connection,
                null,
                "DELETE FROM identity_links WHERE kind = $kind AND id = $id AND account_id = $account;",
                cancellationToken,
                ("$kind", identity.KindName),
                ("$id", identity.Id),
                ("$account", accountId));
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static void ValidateIdentity(LinkedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(identity.Id, nameof(identity));
    }

    private bool IsStale(long claimedAtMs) =>
        _timeProvider.GetUtcNow().ToUnixTimeMilliseconds() - claimedAtMs >= (long)IdentityClaims.StaleAfter.TotalMilliseconds;

    private static async Task<(string AccountId, long ClaimedAtMs)?> ReadClaimAsync(
        SqliteConnection connection, SqliteTransaction transaction, LinkedIdentity identity, CancellationToken cancellationToken)
    {
        await using var command = Command(
            connection, transaction, "SELECT account_id, claimed_at FROM identity_links WHERE kind = $kind AND id = $id;", [("$kind", identity.KindName), ("$id", identity.Id)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt64(1)) : null;
    }

    private Task<int> WriteClaimAsync(
        SqliteConnection connection, SqliteTransaction transaction, LinkedIdentity identity, string accountId, bool replace, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            replace
                ? "UPDATE identity_links SET account_id = $account, claimed_at = $at WHERE kind = $kind AND id = $id;"
                : "INSERT INTO identity_links (kind, id, account_id, claimed_at) VALUES ($kind, $id, $account, $at);",
            cancellationToken,
            ("$kind", identity.KindName),
            ("$id", identity.Id),
            ("$account", accountId),
            ("$at", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds()));

    public async Task<AccountUpdateResult> TryUpdateAsync(Account account, long expectedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedRevision, 1);
        var stored = account with { Revision = expectedRevision + 1 };
        var document = AccountDocumentSerializer.Serialize(stored);
        await using var connection = await OpenAsync(cancellationToken);
        await _writeGate.WaitAsync(cancellationToken);
        int changed;
        try
        {
            changed = await ExecuteAsync(
                connection,
                null,
                """
                UPDATE accounts SET revision = $new, schema_version = $schema, document = $document
                WHERE account_id = $account AND revision = $expected;
                """,
                cancellationToken,
                ("$new", stored.Revision),
                ("$schema", stored.SchemaVersion),
                ("$document", document),
                ("$account", stored.AccountId),
                ("$expected", expectedRevision));
        }
        finally
        {
            _writeGate.Release();
        }

        return changed == 1 ? AccountUpdateResult.Updated(stored) : AccountUpdateResult.Conflict;
    }

    /// <summary>Closes the pooled connections of this database file.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
        _initGate.Dispose();
    }

    private static string ResolvePath(IOptions<SqliteAccountStoreOptions> options, IOptions<MetaServerOptions> serverOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serverOptions);
        var configured = options.Value.Path;
        return string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(serverOptions.Value.DataDirFullPath, SqliteAccountStoreOptions.DefaultFileName)
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

    private static async Task<Account?> ReadAccountAsync(SqliteConnection connection, SqliteTransaction? transaction, string accountId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT account_id, revision, document FROM accounts WHERE account_id = $account;";
        command.Parameters.AddWithValue("$account", accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAccount(reader) : null;
    }

    private static Account ReadAccount(SqliteDataReader reader) =>
        AccountDocumentSerializer.Deserialize(reader.GetString(0), reader.GetInt64(1), reader.GetString(2));

    private static async Task<int> ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
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
