using StackExchange.Redis;

namespace MetaServer.Storage.Redis;

/// <summary>
/// Key layout. Data that must outlive a deployment version (leaderboards, where a player is connected) lives
/// under <c>{keyPrefix}:</c>, shared by old and new versions running side by side; cached copies whose format
/// may change between versions (account summaries) live under <c>{keyPrefix}:{deploymentVersion}:</c>.
/// </summary>
public sealed class RedisKeys
{
    public RedisKeys(string keyPrefix, string deploymentVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentVersion);
        Prefix = $"{keyPrefix}:";
        VersionPrefix = $"{keyPrefix}:{deploymentVersion}:";
    }

    /// <summary>Start of every key shared across deployment versions, e.g. <c>metaserver:</c>.</summary>
    public string Prefix { get; }

    /// <summary>Start of every key private to this deployment version, e.g. <c>metaserver:v7:</c>.</summary>
    public string VersionPrefix { get; }

    /// <summary>Sorted set of a leaderboard, e.g. <c>metaserver:lb:rating</c> (global: every version shares it).</summary>
    public RedisKey Leaderboard(string name) => Prefix + "lb:" + name;

    /// <summary>Cached account summary, e.g. <c>metaserver:v7:acct:{id}</c> (per version: its format may change).</summary>
    public RedisKey AccountSummary(string accountId) => VersionPrefix + "acct:" + accountId;

    /// <summary>Where a player is connected, e.g. <c>metaserver:sess:{playerId}</c> (global: a backend of any version can reach the player).</summary>
    public RedisKey Session(string playerId) => Prefix + "sess:" + playerId;
}

/// <summary>Bounds a Redis call by the operation timeout and the caller's token (StackExchange.Redis 1.x takes neither).</summary>
internal static class RedisCalls
{
    public static Task<T> Bounded<T>(this Task<T> call, TimeSpan timeout, CancellationToken cancellationToken) =>
        call.WaitAsync(timeout, cancellationToken);
}
