using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetaServer.Hosting;

public static class HostingExtensions
{
    /// <summary>
    /// Registers what every MetaServer process needs: validated <see cref="MetaServerOptions"/>,
    /// the system <see cref="TimeProvider"/>, <see cref="QueueNames"/> and the configured transport.
    /// </summary>
    public static IServiceCollection AddMetaServerCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MetaServerOptions>()
            .Bind(configuration.GetSection(MetaServerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new QueueNames(sp.GetRequiredService<IOptions<MetaServerOptions>>().Value.DeploymentVersion));
        services.TryAddSingleton<IMessageTransport>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MetaServerOptions>>().Value;
            return options.Transport switch
            {
                TransportKind.Embedded => new EmbeddedTransport(sp.GetRequiredService<TimeProvider>()),
                _ => throw new InvalidOperationException($"Unknown transport '{options.Transport}'."),
            };
        });
        return services;
    }
}
