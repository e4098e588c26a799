using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.GameLift;

public static class GameLiftServiceCollectionExtensions
{
    /// <summary>Name of the HttpClient the GameLift client uses (IHttpClientFactory).</summary>
    public const string HttpClientName = "MetaServer.GameLift";

    /// <summary>
    /// Registers <see cref="GameLiftOptions"/> (section <c>MetaServer:GameLift</c>, validated at start) and
    /// <see cref="IGameLiftClient"/>. Uses the registered <see cref="TimeProvider"/> (the system clock if none).
    /// </summary>
    public static IServiceCollection AddGameLiftClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GameLiftOptions>()
            .Bind(configuration.GetSection(GameLiftOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GameLiftOptions>, GameLiftOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<IGameLiftClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GameLiftOptions>>().Value;
            var logger = sp.GetRequiredService<ILogger<GameLiftClient>>();
            var client = new GameLiftClient(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                options,
                sp.GetRequiredService<TimeProvider>(),
                logger);
            GameLiftLog.Started(logger, client.Endpoint, options.Region, Aws.AwsCredentialsResolver.DescribeSource(options.AccessKey));
            return client;
        });
        return services;
    }
}
