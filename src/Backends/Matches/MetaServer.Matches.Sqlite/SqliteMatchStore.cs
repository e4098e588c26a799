using MetaServer.Hosting;
using MetaServer.Matches.Storage;
using MetaServer.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Sqlite;

/// <summary>The matches store on one SQLite file: a <see cref="SqliteItemStore"/> with table <c>match_items</c>.</summary>
public sealed class SqliteMatchStore : SqliteItemStore, IMatchStore
{
    /// <summary>The table of the matches items.</summary>
    public const string ItemsTable = "match_items";

    /// <summary>Used by dependency injection: path from <see cref="SqliteMatchStoreOptions.Path"/> or <c>matches.db</c> under the data folder.</summary>
    public SqliteMatchStore(IOptions<SqliteMatchStoreOptions> options, IOptions<MetaServerOptions> serverOptions, TimeProvider timeProvider)
        : this(ResolvePath(options, serverOptions), timeProvider, options.Value.BusyTimeout)
    {
    }

    /// <param name="databasePath">The database file; its folder is created when missing.</param>
    /// <param name="timeProvider">Clock that decides expiry.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock; 10 s when null.</param>
    public SqliteMatchStore(string databasePath, TimeProvider timeProvider, TimeSpan? busyTimeout = null)
        : base(databasePath, ItemsTable, timeProvider, busyTimeout)
    {
    }

    private static string ResolvePath(IOptions<SqliteMatchStoreOptions> options, IOptions<MetaServerOptions> serverOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serverOptions);
        var configured = options.Value.Path;
        return string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(serverOptions.Value.DataDirFullPath, SqliteMatchStoreOptions.DefaultFileName)
            : System.IO.Path.GetFullPath(configured);
    }
}
