using System.ComponentModel.DataAnnotations;

namespace MetaServer.Friends.Sqlite;

/// <summary>Settings of the SQLite friend store. Bound from <c>MetaServer:Friends:Sqlite</c>, validated at start.</summary>
public sealed class SqliteFriendStoreOptions
{
    public const string SectionName = "MetaServer:Friends:Sqlite";

    /// <summary>Default file name under <c>MetaServer:DataDir</c>.</summary>
    public const string DefaultFileName = "friends.db";

    /// <summary>
    /// Database file. Empty (default): <c>friends.db</c> under <c>MetaServer:DataDir</c>. Relative paths are taken
    /// from the working directory. The folder is created when missing.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>How long a statement waits for a lock held by another connection or process before failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
