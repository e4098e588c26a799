using MetaServer.Payments.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.AppStore;

public static class AppStoreVerificationExtensions
{
    /// <summary>True when the section <c>MetaServer:Payments:AppStore</c> is present (hosts register the App Store only then).</summary>
    public static bool IsAppStoreConfigured(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(AppStoreOptions.SectionName).Exists();
    }

    /// <summary>
    /// Registers the App Store <see cref="IPurchaseVerifier"/> and <see cref="IAppStoreNotificationVerifier"/> from the
    /// section <c>MetaServer:Payments:AppStore</c> (BundleId, Environment, RootCertificatePath or RootCertificateBase64),
    /// validated at start-up: a missing or unreadable root fails the host, there is no default root.
    /// </summary>
    public static IServiceCollection AddAppStoreVerification(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AppStoreOptions>().Bind(configuration.GetSection(AppStoreOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AppStoreOptions>, AppStoreOptionsValidator>());
        services.TryAddSingleton<AppStoreJwsVerifier>();
        services.TryAddSingleton<AppStorePurchaseVerifier>();
        services.AddSingleton<IPurchaseVerifier>(sp => sp.GetRequiredService<AppStorePurchaseVerifier>());
        services.TryAddSingleton<IAppStoreNotificationVerifier>(sp => sp.GetRequiredService<AppStorePurchaseVerifier>());
        return services;
    }
}
