using MetaServer.Accounts.Migrations;
using MetaServer.GameConfig;
using MetaServer.Matches.Abandon;
using MetaServer.Matches.Accounts;
using MetaServer.Matches.Handlers;
using MetaServer.Matches.Service;
using MetaServer.Matches.Storage;
using MetaServer.Matchmaking;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches;

public static class MatchesServiceExtensions
{
    /// <summary>
    /// Registers the matches service's player flow: the handlers of <c>matches.start-matchmaking</c>,
    /// <c>matches.start-party-matchmaking</c>, <c>matches.cancel-matchmaking</c>, <c>matches.accept-match</c>,
    /// <c>matches.get-matchmaking-status</c> and <c>matches.player-disconnected</c> (as <see cref="IMessageHandler"/>s),
    /// the <see cref="IMatchmakingEventHandler"/> (ticket updates, pushes, game-server hand-off), the abandon sweeper
    /// (a hosted service abandoning overdue matches, validated <see cref="AbandonOptions"/> from
    /// <c>MetaServer:Matches:Abandon</c>), the
    /// <see cref="IMatchAccountReader"/> over the accounts store, the game config, the matchmaking catalog
    /// (<c>AddMatchmakingRuleSets</c>) and validated <see cref="MatchesOptions"/> (<c>MetaServer:Matches</c>).
    /// Required from elsewhere: an <see cref="IMatchStore"/>, an <see cref="IMatchmaker"/>, an
    /// <c>IAccountStore</c>, an <c>ISessionRegistry</c> and the core services (<c>AddMetaServerCore</c>); a start-up
    /// check fails the host when the store or matchmaker is missing.
    /// </summary>
    public static IServiceCollection AddMatchesService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddGameConfig(configuration);
        services.AddMatchmakingRuleSets(configuration);
        services.AddOptions<MatchesOptions>().Bind(configuration.GetSection(MatchesOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MatchesOptions>, MatchesOptionsValidator>());

        // Read-only account access: the same lazy migrations as the accounts service, applied in memory.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAccountMigration, StartingEconomyMigration>());
        services.TryAddSingleton(sp => new AccountMigrator(sp.GetServices<IAccountMigration>()));
        services.TryAddSingleton<IMatchAccountReader, AccountStoreMatchAccountReader>();

        services.TryAddSingleton<FlowStore>();
        services.TryAddSingleton<PlayerPushes>();
        services.TryAddSingleton<MatchmakingFlow>();
        services.TryAddSingleton<IMatchmakingEventHandler, MatchmakingEventApplier>();
        services.AddOptions<AbandonOptions>().Bind(configuration.GetSection(AbandonOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AbandonOptions>, AbandonOptionsValidator>());
        services.TryAddSingleton<OpenMatchIndex>();
        services.TryAddSingleton<MatchAbandonSweeper>();
        services.AddSingleton<IMessageHandler, StartMatchmakingHandler>();
        services.AddSingleton<IMessageHandler, StartPartyMatchmakingHandler>();
        services.AddSingleton<IMessageHandler, CancelMatchmakingHandler>();
        services.AddSingleton<IMessageHandler, AcceptMatchHandler>();
        services.AddSingleton<IMessageHandler, GetMatchmakingStatusHandler>();
        services.AddSingleton<IMessageHandler, PlayerDisconnectedHandler>();
        services.AddHostedService<MatchesStartupCheck>();
        services.AddHostedService<MatchAbandonService>();
        return services;
    }
}

/// <summary>Fails the host at start when the match store or the matchmaker is not registered.</summary>
internal sealed class MatchesStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<IMatchStore>()
            ?? throw new InvalidOperationException("No IMatchStore is registered; add one (SQLite or DynamoDB match store).");
        _ = services.GetService<IMatchmaker>()
            ?? throw new InvalidOperationException("No IMatchmaker is registered; add the offline engine or the GameLift matchmaker.");
        _ = services.GetRequiredService<IOptions<MatchesOptions>>().Value;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
