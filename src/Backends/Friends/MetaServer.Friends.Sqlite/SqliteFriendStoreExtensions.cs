using MetaServer.Friends.Storage;
using MetaServer.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Sqlite;

public static class SqliteFriendStoreExtensions
{
    /// <summary>
    /// Registers <see cref="SqliteFriendStore"/> as the <see cref="IFriendStore"/>, its options (section
    /// <c>MetaServer:Friends:Sqlite</c>, validated on start) and a hosted service that creates the database at start.
    /// Needs <c>AddMetaServerCore</c> for the data folder.
    /// </summary>
    public static IServiceCollection AddSqliteFriendStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SqliteFriendStoreOptions>()
            .BindConfiguration(SqliteFriendStoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(sp => new SqliteFriendStore(
            sp.GetRequiredService<IOptions<SqliteFriendStoreOptions>>(),
            sp.GetRequiredService<IOptions<MetaServerOptions>>()));
        services.TryAddSingleton<IFriendStore>(sp => sp.GetRequiredService<SqliteFriendStore>());
        services.AddHostedService<SqliteFriendStoreInitializer>();
        return services;
    }
}

/// <summary>Creates the database file and table at start, so a bad path or a newer layout stops the host at once.</summary>
internal sealed class SqliteFriendStoreInitializer(SqliteFriendStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
