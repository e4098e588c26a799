using MetaServer.DynamoDb;
using MetaServer.Accounts.Storage;
using MetaServer.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.DynamoDb;

public static class DynamoDbAccountStoreExtensions
{
    /// <summary>
    /// Registers <see cref="DynamoDbAccountStore"/> as the <see cref="IAccountStore"/>, its options (section
    /// <c>MetaServer:Accounts:DynamoDb</c>, validated on start) and a hosted service that, at start, checks the table
    /// (exists, active, expected key schema) and creates it when <c>CreateTableIfMissing</c> is set.
    /// Needs <c>AddMetaServerCore</c> (deployment version for the default table name, <see cref="TimeProvider"/>).
    /// </summary>
    public static IServiceCollection AddDynamoDbAccountStore(this IServiceCollection services)
    {
        services.AddOptions<DynamoDbAccountStoreOptions>()
            .BindConfiguration(DynamoDbAccountStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DynamoDbAccountStoreOptions>, DynamoDbAccountStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DynamoDbAccountStoreOptions>>().Value;
            var deploymentVersion = sp.GetRequiredService<IOptions<MetaServerOptions>>().Value.DeploymentVersion;
            return new DynamoDbAccountStore(
                DynamoDbClientFactory.Create(options),
                options.ResolveTableName(deploymentVersion),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<DynamoDbAccountStore>>(),
                ownsClient: true);
        });
        services.TryAddSingleton<IAccountStore>(sp => sp.GetRequiredService<DynamoDbAccountStore>());
        services.AddHostedService<DynamoDbAccountStoreInitializer>();
        return services;
    }
}

/// <summary>Checks (or creates) the table at start, so a missing table or another key schema stops the host at once.</summary>
internal sealed class DynamoDbAccountStoreInitializer(DynamoDbAccountStore store, IOptions<DynamoDbAccountStoreOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(options.Value.CreateTableIfMissing, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
