using MetaServer.Hosting;
using MetaServer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Frontend;

public static class FrontendServiceCollectionExtensions
{
    /// <summary>
    /// Registers the WebSocket frontend: validated <see cref="FrontendOptions"/> (section <c>MetaServer:Frontend</c>),
    /// session tokens, reply routing, session presence in the <see cref="ISessionRegistry"/> (when one is registered,
    /// e.g. by <c>AddEmbeddedStorage()</c>) and the hosted service that owns the reply queue and drains sessions on
    /// shutdown. Call after <c>AddMetaServerCore(configuration)</c>; map the endpoints with
    /// <see cref="FrontendEndpointExtensions.MapMetaServerFrontend"/>.
    /// </summary>
    /// <param name="configure">Optional overrides applied after binding (e.g. <c>o.Tokens.AllowGeneratedSigningKey = true</c>).</param>
    public static IServiceCollection AddMetaServerFrontend(this IServiceCollection services, IConfiguration configuration, Action<FrontendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<FrontendOptions>().Bind(configuration.GetSection(FrontendOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FrontendOptions>, FrontendOptionsValidator>());

        // Shutdown must leave room for draining the sessions. Read the drain timeout without validating the
        // options here, so invalid settings are reported by the normal start-up validation.
        services.AddOptions<HostOptions>().PostConfigure(host =>
        {
            var unvalidated = new FrontendOptions();
            configuration.GetSection(FrontendOptions.SectionName).Bind(unvalidated);
            configure?.Invoke(unvalidated);
            var needed = unvalidated.DrainTimeout + TimeSpan.FromSeconds(10);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => SigningKeyLoader.Load(
            sp.GetRequiredService<IOptions<FrontendOptions>>().Value.Tokens,
            sp.GetRequiredService<IOptions<MetaServerOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SessionTokenService))));
        services.TryAddSingleton<SessionTokenService>();
        services.TryAddSingleton<PendingReplies>();
        services.TryAddSingleton<SessionRegistry>();
        services.TryAddSingleton<BackendGateway>();
        services.TryAddSingleton<RequestHandler>();
        services.TryAddSingleton(sp => new SessionPresence(
            sp.GetService<ISessionRegistry>(),
            sp.GetRequiredService<IOptions<FrontendOptions>>().Value,
            sp.GetRequiredService<BackendGateway>().ReplyQueue,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SessionPresence>>(),
            FriendsSessionNotices.Online(sp.GetRequiredService<BackendGateway>(), sp.GetRequiredService<TimeProvider>())));
        services.AddHostedService<FrontendService>();
        return services;
    }
}
