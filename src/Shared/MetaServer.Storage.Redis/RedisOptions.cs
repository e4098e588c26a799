using System.ComponentModel.DataAnnotations;

namespace MetaServer.Storage.Redis;

/// <summary>Redis connection and key layout. Bound from <c>MetaServer:Redis</c>.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "MetaServer:Redis";

    /// <summary>
    /// StackExchange.Redis configuration string, e.g. <c>redis.internal:6379,password=…,ssl=true,abortConnect=false</c>.
    /// Required when <c>MetaServer:Storage:Kind</c> is Redis. May hold a password, so it is never logged.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// First part of every key; the deployment version follows, so versions running side by side never share
    /// keys: <c>{KeyPrefix}:lb:rating</c> and <c>{KeyPrefix}:sess:{playerId}</c> (shared by every deployment version), <c>{KeyPrefix}:{DeploymentVersion}:acct:{accountId}</c>.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,40}$", ErrorMessage = "MetaServer:Redis:KeyPrefix must be 1-40 letters, digits, '.', '-' or '_'.")]
    public string KeyPrefix { get; set; } = "metaserver";

    /// <summary>Upper bound for one Redis operation; past it the caller gets a <see cref="TimeoutException"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public override string ToString() => $"RedisOptions {{ Configuration = {(Configuration is null ? "<none>" : "<set>")}, KeyPrefix = {KeyPrefix}, OperationTimeout = {OperationTimeout} }}";
}
