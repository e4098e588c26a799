using MetaServer.Hosting;
using MetaServer.Payments.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Sqlite;

public static class SqlitePaymentStoreExtensions
{
    /// <summary>
    /// Registers <see cref="SqlitePaymentStore"/> as the <see cref="IPaymentStore"/>, its options (section
    /// <c>MetaServer:Payments:Sqlite</c>, validated on start) and a hosted service that creates the database at start.
    /// Needs <c>AddMetaServerCore</c> for the data folder; uses the registered <see cref="TimeProvider"/> for expiry.
    /// </summary>
    public static IServiceCollection AddSqlitePaymentStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SqlitePaymentStoreOptions>()
            .BindConfiguration(SqlitePaymentStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqlitePaymentStore(
            sp.GetRequiredService<IOptions<SqlitePaymentStoreOptions>>(),
            sp.GetRequiredService<IOptions<MetaServerOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IPaymentStore>(sp => sp.GetRequiredService<SqlitePaymentStore>());
        services.AddHostedService<SqlitePaymentStoreInitializer>();
        return services;
    }
}

/// <summary>Creates the database file and table at start, so a bad path or a newer layout stops the host at once.</summary>
internal sealed class SqlitePaymentStoreInitializer(SqlitePaymentStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
