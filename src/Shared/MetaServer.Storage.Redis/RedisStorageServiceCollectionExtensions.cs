using MetaServer.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MetaServer.Storage.Redis;

public static class RedisStorageServiceCollectionExtensions
{
    /// <summary>Name of the global rating leaderboard (its key is <c>{KeyPrefix}:lb:rating</c>, shared by every deployment version).</summary>
    public const string RatingLeaderboardName = "rating";

    /// <summary>
    /// Registers the Redis implementations of <see cref="ILeaderboardStore"/> (named boards, key <c>{KeyPrefix}:lb:{id}</c>),
    /// <see cref="ILeaderboard"/> (the global rating leaderboard, board <c>rating</c>),
    /// <see cref="IAccountSummaryCache"/> and <see cref="ISessionRegistry"/>, the shared
    /// <see cref="IConnectionMultiplexer"/> (connected at start, so a wrong configuration stops the host),
    /// <see cref="PlayerEventPublisher"/>, and validated <see cref="StorageOptions"/> and <see cref="RedisOptions"/>
    /// (<c>MetaServer:Redis:Configuration</c> is required). Needs <c>AddMetaServerCore</c> for the deployment version.
    /// </summary>
    public static IServiceCollection AddRedisStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddStorageOptions(configuration);
        services.AddOptions<RedisOptions>()
            .Bind(configuration.GetSection(RedisOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
            ConnectionMultiplexer.Connect(sp.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration!));
        services.TryAddSingleton(sp => new RedisKeys(
            sp.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix,
            sp.GetRequiredService<IOptions<MetaServerOptions>>().Value.DeploymentVersion));
        services.TryAddSingleton<ILeaderboardStore>(sp => new RedisLeaderboardStore(Database(sp), sp.GetRequiredService<RedisKeys>(), OperationTimeout(sp)));
        services.TryAddSingleton<ILeaderboard>(sp => new RedisLeaderboard(
            Database(sp),
            sp.GetRequiredService<RedisKeys>().Leaderboard(RatingLeaderboardName),
            OperationTimeout(sp)));
        services.TryAddSingleton<IAccountSummaryCache>(sp => new RedisAccountSummaryCache(
            Database(sp),
            sp.GetRequiredService<RedisKeys>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.AccountSummaryTtl,
            OperationTimeout(sp)));
        services.TryAddSingleton<ISessionRegistry>(sp => new RedisSessionRegistry(Database(sp), sp.GetRequiredService<RedisKeys>(), OperationTimeout(sp)));
        services.TryAddSingleton<PlayerEventPublisher>();
        services.AddHostedService<RedisConnectionCheck>();
        return services;
    }

    /// <summary>
    /// Registers the storage chosen by <c>MetaServer:Storage:Kind</c>: <c>Embedded</c> (default,
    /// <see cref="StorageServiceCollectionExtensions.AddEmbeddedStorage"/>) or <c>Redis</c> (<see cref="AddRedisStorage"/>).
    /// A <see cref="HostLayout.SeparateProcess"/> host refuses embedded storage at start: it would not be shared
    /// with the other processes.
    /// </summary>
    public static IServiceCollection AddMetaServerStorage(this IServiceCollection services, IConfiguration configuration, HostLayout layout = HostLayout.AllInOne)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var kind = configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.Kind)}"];
        if (string.Equals(kind?.Trim(), nameof(StorageKind.Redis), StringComparison.OrdinalIgnoreCase))
        {
            return services.AddRedisStorage(configuration);
        }

        // Anything else binds to StorageOptions.Kind at start, where a value that is not a StorageKind fails validation.
        services.AddEmbeddedStorage(configuration);
        var options = services.AddOptions<StorageOptions>()
            .Validate(o => o.Kind == StorageKind.Embedded, "MetaServer:Storage:Kind must be 'Embedded' or 'Redis'.");
        if (layout == HostLayout.SeparateProcess)
        {
            options.Validate(
                o => o.Kind != StorageKind.Embedded,
                "MetaServer:Storage:Kind is 'Embedded', which keeps leaderboards, caches and the session registry inside this "
                + "process only. Configure MetaServer:Storage:Kind=Redis and MetaServer:Redis:Configuration for separate processes.");
        }

        return services;
    }

    private static IDatabase Database(IServiceProvider sp) => sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    private static TimeSpan OperationTimeout(IServiceProvider sp) => sp.GetRequiredService<IOptions<RedisOptions>>().Value.OperationTimeout;
}

/// <summary>Requires a parsable <see cref="RedisOptions.Configuration"/>.</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            return ValidateOptionsResult.Fail("MetaServer:Redis:Configuration is required when MetaServer:Storage:Kind is 'Redis' (e.g. 'localhost:6379').");
        }

        try
        {
            var parsed = ConfigurationOptions.Parse(options.Configuration);
            return parsed.EndPoints.Count == 0
                ? ValidateOptionsResult.Fail("MetaServer:Redis:Configuration names no endpoint (e.g. 'localhost:6379').")
                : ValidateOptionsResult.Success;
        }
        catch (ArgumentException)
        {
            // The message may quote the password; say only that the string is malformed.
            return ValidateOptionsResult.Fail("MetaServer:Redis:Configuration is not a valid StackExchange.Redis configuration string.");
        }
    }
}

/// <summary>Connects to Redis at start so an unreachable or misconfigured Redis stops the host at once.</summary>
internal sealed partial class RedisConnectionCheck(IServiceProvider services, ILogger<RedisConnectionCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var multiplexer = services.GetRequiredService<IConnectionMultiplexer>();
        LogConnected(services.GetRequiredService<RedisKeys>().Prefix, multiplexer.IsConnected);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage on Redis, keys under {KeyPrefix} (connected: {Connected})")]
    private partial void LogConnected(string keyPrefix, bool connected);
}
