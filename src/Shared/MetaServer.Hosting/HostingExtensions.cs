using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Messaging.Sqs;
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
    /// A <see cref="HostLayout.SeparateProcess"/> host refuses to start on a transport that cannot reach
    /// other processes, rather than run cut off from every other service.
    /// </summary>
    public static IServiceCollection AddMetaServerCore(this IServiceCollection services, IConfiguration configuration, HostLayout layout = HostLayout.AllInOne)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<MetaServerOptions>()
            .Bind(configuration.GetSection(MetaServerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (layout == HostLayout.SeparateProcess)
        {
            options.Validate(
                o => o.Transport != TransportKind.Embedded,
                "MetaServer:Transport is 'Embedded', which only connects services inside one process, so this service "
                + "would be cut off from the others. Run every service in one process with "
                + "'dotnet run --project src/MetaServer.AllInOne', or configure a transport shared between processes.");
        }

        services.TryAddSingleton(TimeProvider.System);
        if (configuration.GetSection(MetaServerOptions.SectionName).GetValue<TransportKind?>(nameof(MetaServerOptions.Transport)) == TransportKind.Sqs)
        {
            // Options (validated at start), client, transport and reply-queue janitor; only when SQS is configured.
            services.AddSqsTransport(configuration);
        }

        services.TryAddSingleton(sp => new QueueNames(sp.GetRequiredService<IOptions<MetaServerOptions>>().Value.DeploymentVersion));
        services.TryAddSingleton<IMessageTransport>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MetaServerOptions>>().Value;
            return options.Transport switch
            {
                TransportKind.Embedded => new EmbeddedTransport(sp.GetRequiredService<TimeProvider>()),
                TransportKind.Sqs => sp.GetRequiredService<SqsTransport>(),
                _ => throw new InvalidOperationException($"Unknown transport '{options.Transport}'."),
            };
        });
        return services;
    }
}

/// <summary>How a host runs the services: all in one process, or one service per process.</summary>
public enum HostLayout
{
    AllInOne = 0,
    SeparateProcess = 1,
}
