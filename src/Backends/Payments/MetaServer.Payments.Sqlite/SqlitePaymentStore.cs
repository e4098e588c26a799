using MetaServer.Hosting;
using MetaServer.Payments.Storage;
using MetaServer.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Sqlite;

/// <summary>The payments store on one SQLite file: a <see cref="SqliteItemStore"/> with table <c>payment_items</c>.</summary>
public sealed class SqlitePaymentStore : SqliteItemStore, IPaymentStore
{
    /// <summary>The table of the payments items.</summary>
    public const string ItemsTable = "payment_items";

    /// <summary>Used by dependency injection: path from <see cref="SqlitePaymentStoreOptions.Path"/> or <c>payments.db</c> under the data folder.</summary>
    public SqlitePaymentStore(IOptions<SqlitePaymentStoreOptions> options, IOptions<MetaServerOptions> serverOptions, TimeProvider timeProvider)
        : this(ResolvePath(options, serverOptions), timeProvider, options.Value.BusyTimeout)
    {
    }

    /// <param name="databasePath">The database file; its folder is created when missing.</param>
    /// <param name="timeProvider">Clock that decides expiry.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's lock; 10 s when null.</param>
    public SqlitePaymentStore(string databasePath, TimeProvider timeProvider, TimeSpan? busyTimeout = null)
        : base(databasePath, ItemsTable, timeProvider, busyTimeout)
    {
    }

    private static string ResolvePath(IOptions<SqlitePaymentStoreOptions> options, IOptions<MetaServerOptions> serverOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serverOptions);
        var configured = options.Value.Path;
        return string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(serverOptions.Value.DataDirFullPath, SqlitePaymentStoreOptions.DefaultFileName)
            : System.IO.Path.GetFullPath(configured);
    }
}
