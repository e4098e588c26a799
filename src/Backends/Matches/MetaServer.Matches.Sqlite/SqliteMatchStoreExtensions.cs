using MetaServer.Hosting;
using MetaServer.Matches.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Sqlite;

public static class SqliteMatchStoreExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteMatchStore"/> as the <see cref="IMatchStore"/>, its options (section
    /// <c>MetaServer:Matches:Sqlite</c>, validated on start) and a hosted service that creates the database at start.
    /// Needs <c>AddMetaServerCore</c> for the data folder; uses the registered <see cref="TimeProvider"/> for expiry.
    /// </summary>
    public static IServiceCollection AddSqliteMatchStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SqliteMatchStoreOptions>()
            .BindConfiguration(SqliteMatchStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqliteMatchStore(
            sp.GetRequiredService<IOptions<SqliteMatchStoreOptions>>(),
            sp.GetRequiredService<IOptions<MetaServerOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IMatchStore>(sp => sp.GetRequiredService<SqliteMatchStore>());
        services.AddHostedService<SqliteMatchStoreInitializer>();
        return services;
    }
}

/// <summary>Creates the database file and table at start, so a bad path or a newer layout stops the host at once.</summary>
internal sealed class SqliteMatchStoreInitializer(SqliteMatchStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
