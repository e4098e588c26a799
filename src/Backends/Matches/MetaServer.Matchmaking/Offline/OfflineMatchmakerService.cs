using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.Offline;

/// <summary>Creates the events queue (unless external), then runs <see cref="OfflineMatchmaker.TickAsync"/> every tick interval.</summary>
public sealed class OfflineMatchmakerService(
    OfflineMatchmaker matchmaker,
    MatchmakingEventsQueue queue,
    IMessageTransport transport,
    IOptionsMonitor<PipelineOptions> pipelineOptions,
    IOptions<OfflineMatchmakerOptions> options,
    MatchmakingCatalog catalog,
    TimeProvider timeProvider,
    ILogger<OfflineMatchmakerService> logger) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await queue.EnsureCreatedAsync(transport, pipelineOptions, cancellationToken).ConfigureAwait(false);
        var interval = options.Value.TickInterval;
        MatchmakingLog.OfflineStarted(logger, catalog.Definitions.Count, interval, queue.Name);
        _loop = RunAsync(interval, _stop.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await matchmaker.TickAsync(stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    MatchmakingLog.TickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}

public static class OfflineMatchmakerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="OfflineMatchmaker"/> as <see cref="IMatchmaker"/> with its tick loop: options
    /// <c>MetaServer:Matchmaking:Offline</c> (TickInterval, EndedTicketRetention, Region, Account; validated at start),
    /// the rule sets (<see cref="MatchmakingServiceCollectionExtensions.AddMatchmakingRuleSets"/>) and the events queue
    /// (<c>MetaServer:Matchmaking:EventsQueueName</c>). An <see cref="IMatchBuilderFactory"/> must be registered; the
    /// host refuses to start without one. Needs AddMetaServerCore (transport, queue names, clock).
    /// </summary>
    public static IServiceCollection AddOfflineMatchmaker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMatchmakingRuleSets(configuration);
        MatchmakingEventsQueue.Register(services, configuration);
        services.AddOptions<OfflineMatchmakerOptions>()
            .Bind(configuration.GetSection(OfflineMatchmakerOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<OfflineMatchmakerOptions>().Validate<IServiceProvider>(
            (_, sp) => sp.GetService<IMatchBuilderFactory>() is not null,
            "The offline matchmaker (MetaServer:Matchmaking:Kind = Offline) needs an IMatchBuilderFactory: register the FlexMatch match builder (AddFlexMatchBuilder).");
        services.TryAddSingleton(sp => new OfflineMatchmaker(
            sp.GetRequiredService<MatchmakingCatalog>(),
            sp.GetService<IMatchBuilderFactory>() ?? throw new InvalidOperationException(
                "The offline matchmaker needs an IMatchBuilderFactory: register the FlexMatch match builder (AddFlexMatchBuilder)."),
            sp.GetRequiredService<IMessageTransport>(),
            sp.GetRequiredService<MatchmakingEventsQueue>().Name,
            sp.GetRequiredService<IOptions<OfflineMatchmakerOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<OfflineMatchmaker>>()));
        services.TryAddSingleton<IMatchmaker>(sp => sp.GetRequiredService<OfflineMatchmaker>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OfflineMatchmakerService>());
        return services;
    }
}
