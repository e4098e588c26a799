using MetaServer.Accounts.Storage;
using MetaServer.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Sqlite;

public static class SqliteAccountStoreExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteAccountStore"/> as the <see cref="IAccountStore"/>, its options (section
    /// <c>MetaServer:Accounts:Sqlite</c>, validated on start) and a hosted service that creates the database at start.
    /// Needs <c>AddMetaServerCore</c> for the data folder.
    /// </summary>
    public static IServiceCollection AddSqliteAccountStore(this IServiceCollection services)
    {
        services.AddOptions<SqliteAccountStoreOptions>()
            .BindConfiguration(SqliteAccountStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(sp => new SqliteAccountStore(
            sp.GetRequiredService<IOptions<SqliteAccountStoreOptions>>(),
            sp.GetRequiredService<IOptions<MetaServerOptions>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqliteAccountStore>());
        services.AddHostedService<SqliteAccountStoreInitializer>();
        return services;
    }
}

/// <summary>Creates the database file and tables at start, so a bad path or a newer layout stops the host at once.</summary>
internal sealed class SqliteAccountStoreInitializer(SqliteAccountStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
