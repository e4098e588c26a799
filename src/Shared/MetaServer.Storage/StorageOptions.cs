using System.ComponentModel.DataAnnotations;

namespace MetaServer.Storage;

/// <summary>Which storage backs the leaderboard, the account-summary cache and the session registry. Bound from <c>MetaServer:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "MetaServer:Storage";

    /// <summary><see cref="StorageKind.Embedded"/> (in-process, the default) or <see cref="StorageKind.Redis"/>.</summary>
    public StorageKind Kind { get; set; } = StorageKind.Embedded;

    /// <summary>How long a cached account summary lives after its last write; bounds how stale a summary can get.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan AccountSummaryTtl { get; set; } = TimeSpan.FromMinutes(10);
}

public enum StorageKind
{
    /// <summary>In-process memory: one process only, nothing survives a restart.</summary>
    Embedded = 0,

    /// <summary>Redis (<c>MetaServer:Redis:Configuration</c>), shared by every process of the deployment.</summary>
    Redis = 1,
}
