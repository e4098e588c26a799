using MetaServer.Accounts.Handlers;
using MetaServer.Accounts.Identity;
using MetaServer.GameConfig;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts;

public static class AccountsServiceExtensions
{
    /// <summary>
    /// Registers the accounts service: its message handlers (<c>accounts.login-device</c>, <c>accounts.get-account</c>,
    /// the identity handlers <c>accounts.login-custom</c>, <c>accounts.login-provider</c>, <c>accounts.link-identity</c>,
    /// <c>accounts.unlink-identity</c>, the operator commands <c>accounts.ban-account</c> / <c>accounts.unban-account</c>
    /// (with the <see cref="IdTokenVerifier"/> and validated <see cref="IdentityProvidersOptions"/>),
    /// the routed mutations <c>accounts.set-nickname</c>, <c>accounts.set-loadout</c>, <c>accounts.purchase</c>,
    /// <c>accounts.claim-quest</c>, <c>accounts.claim-daily-reward</c> and the internal <c>accounts.apply-match-result</c>, <c>accounts.grant-purchase</c> and <c>accounts.revoke-purchase</c>)
    /// as <see cref="IMessageHandler"/>s, the <see cref="AccountMutationRunner"/>, the production migrations, the
    /// <see cref="AccountMigrator"/> (built from every registered <see cref="IAccountMigration"/>), the game config
    /// (<c>AddGameConfig</c>: <c>MetaServer:GameConfig:Path</c>, empty = the bundled sample),
    /// validated <see cref="AccountsOptions"/> and a start-up check that fails the host when the migration chain is
    /// broken or no <see cref="IAccountStore"/> is registered.
    /// An account store (e.g. <c>AddSqliteAccountStore()</c>) must be added too.
    /// </summary>
    public static IServiceCollection AddAccountsService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AccountsOptions>()
            .Bind(configuration.GetSection(AccountsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddGameConfig(configuration);
        services.AddSingleton<IAccountMigration, StartingEconomyMigration>();
        services.TryAddSingleton(sp => new AccountMigrator(sp.GetServices<IAccountMigration>()));
        services.TryAddSingleton<AccountMutationRunner>();
        services.AddSingleton<IMessageHandler, LoginDeviceHandler>();
        services.AddSingleton<IMessageHandler, GetAccountHandler>();
        services.AddSingleton<IMessageHandler, LoginCustomHandler>();
        services.AddSingleton<IMessageHandler, LoginProviderHandler>();
        services.AddSingleton<IMessageHandler, LinkIdentityHandler>();
        services.AddSingleton<IMessageHandler, UnlinkIdentityHandler>();
        services.AddSingleton<IMessageHandler, BanAccountHandler>();
        services.AddSingleton<IMessageHandler, UnbanAccountHandler>();
        services.AddOptions<IdentityProvidersOptions>()
            .Bind(configuration.GetSection(IdentityProvidersOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityProvidersOptions>, IdentityProvidersOptionsValidator>());
        services.AddHttpClient(IdTokenVerifier.HttpClientName);
        services.TryAddSingleton<IdTokenVerifier>();
        services.AddSingleton<IMessageHandler, SetNicknameHandler>();
        services.AddSingleton<IMessageHandler, SetLoadoutHandler>();
        services.AddSingleton<IMessageHandler, PurchaseHandler>();
        services.AddSingleton<IMessageHandler, ClaimQuestHandler>();
        services.AddSingleton<IMessageHandler, ClaimDailyRewardHandler>();
        services.AddSingleton<IMessageHandler, ApplyMatchResultHandler>();
        services.AddSingleton<IMessageHandler, GrantPurchaseHandler>();
        services.AddSingleton<IMessageHandler, RevokePurchaseHandler>();
        services.AddHostedService<AccountsStartupCheck>();
        return services;
    }
}

/// <summary>Builds the migrator and the store at start so a broken chain or a missing store stops the host at once.</summary>
internal sealed partial class AccountsStartupCheck(IServiceProvider services, ILogger<AccountsStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var migrator = services.GetRequiredService<AccountMigrator>();
        _ = services.GetService<IAccountStore>()
            ?? throw new InvalidOperationException("No IAccountStore is registered; add one, e.g. services.AddSqliteAccountStore().");
        LogMigrationChain(migrator.OldestSupportedSchemaVersion, migrator.TargetSchemaVersion);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Accounts: migrating account schema versions {Oldest}..{Target} at login")]
    private partial void LogMigrationChain(int oldest, int target);
}
