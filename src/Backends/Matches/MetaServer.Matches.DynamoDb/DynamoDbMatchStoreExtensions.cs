using MetaServer.DynamoDb;
using MetaServer.Hosting;
using MetaServer.Matches.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.DynamoDb;

public static class DynamoDbMatchStoreExtensions
{
    /// <summary>
    /// Registers <see cref="DynamoDbMatchStore"/> as the <see cref="IMatchStore"/>, its options (section
    /// <c>MetaServer:Matches:DynamoDb</c> of <paramref name="configuration"/>, validated on start) and a hosted service
    /// that, at start, checks the table (exists, active, expected key schema) and creates it when
    /// <c>CreateTableIfMissing</c> is set. Needs <c>AddMetaServerCore</c> (deployment version for the default table name).
    /// </summary>
    public static IServiceCollection AddDynamoDbMatchStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DynamoDbMatchStoreOptions>()
            .Bind(configuration.GetSection(DynamoDbMatchStoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamoDbMatchStoreOptions>, DynamoDbMatchStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DynamoDbMatchStoreOptions>>().Value;
            var deploymentVersion = sp.GetRequiredService<IOptions<MetaServerOptions>>().Value.DeploymentVersion;
            return new DynamoDbMatchStore(
                DynamoDbClientFactory.Create(options),
                options.ResolveTableName(deploymentVersion),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<DynamoDbMatchStore>>(),
                ownsClient: true);
        });
        services.TryAddSingleton<IMatchStore>(sp => sp.GetRequiredService<DynamoDbMatchStore>());
        services.AddHostedService<DynamoDbMatchStoreInitializer>();
        return services;
    }
}

/// <summary>Checks (or creates) the table at start, so a missing table or another key schema stops the host at once.</summary>
internal sealed class DynamoDbMatchStoreInitializer(DynamoDbMatchStore store, IOptions<DynamoDbMatchStoreOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(options.Value.CreateTableIfMissing, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
