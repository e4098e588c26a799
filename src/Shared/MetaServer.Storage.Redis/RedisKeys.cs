using StackExchange.Redis;

namespace MetaServer.Storage.Redis;

/// <summary>Key layout: <c>{keyPrefix}:{deploymentVersion}:{kind}:{id}</c>.</summary>
public sealed class RedisKeys
{
    public RedisKeys(string keyPrefix, string deploymentVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentVersion);
        Prefix = $"{keyPrefix}:{deploymentVersion}:";
    }

    /// <summary>Shared start of every key, e.g. <c>metaserver:v7:</c>.</summary>
    public string Prefix { get; }

    /// <summary>Sorted set of a leaderboard, e.g. <c>metaserver:v7:lb:rating</c>.</summary>
    public RedisKey Leaderboard(string name) => Prefix + "lb:" + name;

    public RedisKey AccountSummary(string accountId) => Prefix + "acct:" + accountId;

    public RedisKey Session(string playerId) => Prefix + "sess:" + playerId;
}

/// <summary>Bounds a Redis call by the operation timeout and the caller's token (StackExchange.Redis 1.x takes neither).</summary>
internal static class RedisCalls
{
    public static Task<T> Bounded<T>(this Task<T> call, TimeSpan timeout, CancellationToken cancellationToken) =>
        call.WaitAsync(timeout, cancellationToken);
}
