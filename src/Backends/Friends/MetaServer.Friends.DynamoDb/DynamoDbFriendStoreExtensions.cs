using MetaServer.DynamoDb;
using MetaServer.Friends.Storage;
using MetaServer.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.DynamoDb;

public static class DynamoDbFriendStoreExtensions
{
    /// <summary>
    /// Registers <see cref="DynamoDbFriendStore"/> as the <see cref="IFriendStore"/>, its options (section
    /// <c>MetaServer:Friends:DynamoDb</c> of <paramref name="configuration"/>, validated on start) and a hosted service
    /// that, at start, checks the table (exists, active, expected key schema) and creates it when
    /// <c>CreateTableIfMissing</c> is set. Needs <c>AddMetaServerCore</c> (deployment version for the default table name).
    /// </summary>
    public static IServiceCollection AddDynamoDbFriendStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DynamoDbFriendStoreOptions>()
            .Bind(configuration.GetSection(DynamoDbFriendStoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamoDbFriendStoreOptions>, DynamoDbFriendStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DynamoDbFriendStoreOptions>>().Value;
            var deploymentVersion = sp.GetRequiredService<IOptions<MetaServerOptions>>().Value.DeploymentVersion;
            return new DynamoDbFriendStore(
                DynamoDbClientFactory.Create(options),
                options.ResolveTableName(deploymentVersion),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<DynamoDbFriendStore>>(),
                ownsClient: true);
        });
        services.TryAddSingleton<IFriendStore>(sp => sp.GetRequiredService<DynamoDbFriendStore>());
        services.AddHostedService<DynamoDbFriendStoreInitializer>();
        return services;
    }
}

/// <summary>Checks (or creates) the table at start, so a missing table or another key schema stops the host at once.</summary>
internal sealed class DynamoDbFriendStoreInitializer(DynamoDbFriendStore store, IOptions<DynamoDbFriendStoreOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(options.Value.CreateTableIfMissing, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
