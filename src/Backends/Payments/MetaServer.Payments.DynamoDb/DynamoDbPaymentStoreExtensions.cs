using MetaServer.DynamoDb;
using MetaServer.Hosting;
using MetaServer.Payments.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.DynamoDb;

public static class DynamoDbPaymentStoreExtensions
{
    /// <summary>
    /// Registers <see cref="DynamoDbPaymentStore"/> as the <see cref="IPaymentStore"/>, its options (section
    /// <c>MetaServer:Payments:DynamoDb</c> of <paramref name="configuration"/>, validated on start) and a hosted service
    /// that, at start, checks the table (exists, active, expected key schema) and creates it when
    /// <c>CreateTableIfMissing</c> is set. Needs <c>AddMetaServerCore</c> (deployment version for the default table name).
    /// </summary>
    public static IServiceCollection AddDynamoDbPaymentStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DynamoDbPaymentStoreOptions>()
            .Bind(configuration.GetSection(DynamoDbPaymentStoreOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamoDbPaymentStoreOptions>, DynamoDbPaymentStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DynamoDbPaymentStoreOptions>>().Value;
            var deploymentVersion = sp.GetRequiredService<IOptions<MetaServerOptions>>().Value.DeploymentVersion;
            return new DynamoDbPaymentStore(
                DynamoDbClientFactory.Create(options),
                options.ResolveTableName(deploymentVersion),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<DynamoDbPaymentStore>>(),
                ownsClient: true);
        });
        services.TryAddSingleton<IPaymentStore>(sp => sp.GetRequiredService<DynamoDbPaymentStore>());
        services.AddHostedService<DynamoDbPaymentStoreInitializer>();
        return services;
    }
}

/// <summary>Checks (or creates) the table at start, so a missing table or another key schema stops the host at once.</summary>
internal sealed class DynamoDbPaymentStoreInitializer(DynamoDbPaymentStore store, IOptions<DynamoDbPaymentStoreOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(options.Value.CreateTableIfMissing, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
