using MetaServer.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MetaServer.GameServer.Sample;

public static class SimulatedGameServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SimulatedGameServer"/> as a hosted service with <see cref="SimulatedGameServerOptions"/>
    /// (section <c>MetaServer:GameServers:Simulated</c>, validated at start-up). Needs
    /// <see cref="HostingExtensions.AddMetaServerCore"/> (transport, options, <see cref="TimeProvider"/>).
    /// </summary>
    public static IServiceCollection AddSimulatedGameServers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SimulatedGameServerOptions>()
            .Bind(configuration.GetSection(SimulatedGameServerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<SimulatedGameServer>();
        services.AddHostedService(sp => sp.GetRequiredService<SimulatedGameServer>());
        return services;
    }
}
