using System.ComponentModel.DataAnnotations;

namespace MetaServer.Payments.Sqlite;

/// <summary>Settings of the SQLite payment store. Bound from <c>MetaServer:Payments:Sqlite</c>, validated at start.</summary>
public sealed class SqlitePaymentStoreOptions
{
    public const string SectionName = "MetaServer:Payments:Sqlite";

    /// <summary>Default file name under <c>MetaServer:DataDir</c>.</summary>
    public const string DefaultFileName = "payments.db";

    /// <summary>
    /// Database file. Empty (default): <c>payments.db</c> under <c>MetaServer:DataDir</c>. Relative paths are taken
    /// from the working directory. The folder is created when missing.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>How long a statement waits for a lock held by another connection or process before failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
