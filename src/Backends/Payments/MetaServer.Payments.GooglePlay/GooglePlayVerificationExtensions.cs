using MetaServer.Payments.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.GooglePlay;

public static class GooglePlayVerificationExtensions
{
    /// <summary>True when the section <c>MetaServer:Payments:GooglePlay</c> is present (hosts register Google Play only then).</summary>
    public static bool IsGooglePlayConfigured(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(GooglePlayOptions.SectionName).Exists();
    }

    /// <summary>
    /// Registers the Google Play <see cref="IPurchaseVerifier"/> and <see cref="IVoidedPurchasesSource"/> from the section
    /// <c>MetaServer:Payments:GooglePlay</c> (PackageName, Environment, ServiceAccountKeyPath, ApiBaseUrl, TokenUrl,
    /// RequestTimeout, TokenRefreshMargin), validated at start-up (the key file must load). Needs a <see cref="TimeProvider"/>
    /// (AddMetaServerCore registers the system clock).
    /// </summary>
    public static IServiceCollection AddGooglePlayVerification(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GooglePlayOptions>().Bind(configuration.GetSection(GooglePlayOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GooglePlayOptions>, GooglePlayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(GoogleAccessTokenProvider.HttpClientName, (sp, client) =>
        {
            client.Timeout = sp.GetRequiredService<IOptions<GooglePlayOptions>>().Value.RequestTimeout;
        });
        services.TryAddSingleton(sp => GoogleServiceAccountKey.Load(sp.GetRequiredService<IOptions<GooglePlayOptions>>().Value.ServiceAccountKeyPath));
        services.TryAddSingleton<GoogleAccessTokenProvider>();
        services.TryAddSingleton<GooglePlayPurchaseVerifier>();
        services.AddSingleton<IPurchaseVerifier>(sp => sp.GetRequiredService<GooglePlayPurchaseVerifier>());
        services.TryAddSingleton<IVoidedPurchasesSource>(sp => sp.GetRequiredService<GooglePlayPurchaseVerifier>());
        return services;
    }
}
