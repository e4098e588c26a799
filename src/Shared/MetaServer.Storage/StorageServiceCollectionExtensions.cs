using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetaServer.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the in-process implementations: <see cref="ILeaderboardStore"/> (named boards),
    /// <see cref="ILeaderboard"/> (its board <c>rating</c>, the global rating leaderboard),
    /// <see cref="IAccountSummaryCache"/>, <see cref="ISessionRegistry"/>, plus <see cref="PlayerEventPublisher"/>
    /// and validated <see cref="StorageOptions"/> (bound from <c>MetaServer:Storage</c> when a configuration is given).
    /// Everything lives in this process only. Existing registrations of these services are kept.
    /// </summary>
    public static IServiceCollection AddEmbeddedStorage(this IServiceCollection services, IConfiguration? configuration = null)
    {
        AddStorageOptions(services, configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ILeaderboardStore, EmbeddedLeaderboardStore>();
        services.TryAddSingleton<ILeaderboard>(sp => sp.GetRequiredService<ILeaderboardStore>().Get(ILeaderboardStore.RatingBoardId));
        services.TryAddSingleton<IAccountSummaryCache>(sp => new EmbeddedAccountSummaryCache(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.AccountSummaryTtl));
        services.TryAddSingleton<ISessionRegistry>(sp => new EmbeddedSessionRegistry(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<PlayerEventPublisher>();
        return services;
    }

    /// <summary>Registers <see cref="StorageOptions"/> (bound from <c>MetaServer:Storage</c> when given), validated at start.</summary>
    public static OptionsBuilder<StorageOptions> AddStorageOptions(this IServiceCollection services, IConfiguration? configuration)
    {
        var options = services.AddOptions<StorageOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(StorageOptions.SectionName));
        }

        return options.ValidateDataAnnotations().ValidateOnStart();
    }
}
