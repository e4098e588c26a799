using MetaServer.GameConfig;
using MetaServer.Payments.Clawbacks;
using MetaServer.Payments.Handlers;
using MetaServer.Payments.Service;
using MetaServer.Payments.Storage;
using MetaServer.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments;

public static class PaymentsServiceExtensions
{
    /// <summary>
    /// Registers the payments service: the handlers of <c>payments.redeem-purchase</c>, <c>payments.purchase-granted</c>,
    /// <c>payments.complete-purchase</c>, <c>payments.store-refund</c> and <c>payments.purchase-revoked</c> (as
    /// <see cref="IMessageHandler"/>s), the <see cref="PurchaseLedger"/>, the <see cref="PurchaseVerifiers"/> (every
    /// registered <c>IPurchaseVerifier</c>; a store without one answers UNAVAILABLE "not configured"), the
    /// <see cref="StoreRefundQueue"/> used by the App Store notification endpoint (<c>MapAppStoreNotifications</c>) and
    /// the <see cref="GoogleVoidedPurchasesPoller"/> (idle without an <c>IVoidedPurchasesSource</c>), the game config and
    /// validated <see cref="PaymentsOptions"/> (<c>MetaServer:Payments</c>). Required from elsewhere: an
    /// <see cref="IPaymentStore"/> (<c>AddConfiguredPaymentStore</c>) and the core services (<c>AddMetaServerCore</c>);
    /// a start-up check fails the host without a store or with two verifiers for one store.
    /// </summary>
    public static IServiceCollection AddPaymentsService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddGameConfig(configuration);
        services.AddOptions<PaymentsOptions>()
            .Bind(configuration.GetSection(PaymentsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PaymentsOptions>, PaymentsOptionsValidator>());
        services.TryAddSingleton<PurchaseVerifiers>();
        services.TryAddSingleton<PurchaseLedger>();
        services.TryAddSingleton<StoreRefundQueue>();
        services.AddSingleton<IMessageHandler, RedeemPurchaseHandler>();
        services.AddSingleton<IMessageHandler, PurchaseGrantedHandler>();
        services.AddSingleton<IMessageHandler, CompletePurchaseHandler>();
        services.AddSingleton<IMessageHandler, StoreRefundHandler>();
        services.AddSingleton<IMessageHandler, PurchaseRevokedHandler>();
        services.TryAddSingleton<GoogleVoidedPurchasesPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<GoogleVoidedPurchasesPoller>());
        services.AddHostedService<PaymentsStartupCheck>();
        return services;
    }
}

/// <summary>Nested sections validated too (data annotations do not recurse).</summary>
internal sealed class PaymentsOptionsValidator : IValidateOptions<PaymentsOptions>
{
    public ValidateOptionsResult Validate(string? name, PaymentsOptions options)
    {
        var failures = new List<string>();
        Check(options.Clawback, "Clawback", failures);
        Check(options.GoogleVoidedPurchases, "GoogleVoidedPurchases", failures);
        Check(options.AppStoreNotifications, "AppStoreNotifications", failures);
        if (!Enum.IsDefined(options.Clawback.Policy))
        {
            failures.Add($"{PaymentsOptions.SectionName}:Clawback:Policy must be FlagAccount or AllowNegativeBalance.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(object section, string sectionName, List<string> failures)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(section, new System.ComponentModel.DataAnnotations.ValidationContext(section), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{PaymentsOptions.SectionName}:{sectionName}: {r.ErrorMessage}"));
        }
    }
}

/// <summary>Fails the host at start when the payment store is missing or two verifiers claim one store.</summary>
internal sealed class PaymentsStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<IPaymentStore>()
            ?? throw new InvalidOperationException("No IPaymentStore is registered; add one (AddConfiguredPaymentStore: SQLite or DynamoDB).");
        _ = services.GetRequiredService<PurchaseVerifiers>();
        _ = services.GetRequiredService<IOptions<PaymentsOptions>>().Value;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
