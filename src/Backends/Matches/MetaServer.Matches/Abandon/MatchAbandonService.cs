using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Abandon;

/// <summary>
/// Runs <see cref="MatchAbandonSweeper.SweepOnceAsync"/> at start and then every <see cref="AbandonOptions.SweepInterval"/>
/// on the <see cref="TimeProvider"/>'s clock, unless <see cref="AbandonOptions.Enabled"/> is false. Every instance of
/// the matches service sweeps; the sweeper's conditional writes make that safe. A failed sweep is logged and the next
/// one tries again.
/// </summary>
internal sealed partial class MatchAbandonService(
    IServiceProvider services,
    IOptions<AbandonOptions> options,
    TimeProvider timeProvider,
    ILogger<MatchAbandonService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            LogDisabled();
            return;
        }

        // Resolved here, not injected: a missing store is reported by the start-up check (which runs first), not by DI.
        var sweeper = services.GetRequiredService<MatchAbandonSweeper>();
        using var timer = new PeriodicTimer(settings.SweepInterval, timeProvider);
        try
        {
            do
            {
                try
                {
                    await sweeper.SweepOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Abandoning overdue matches is disabled (MetaServer:Matches:Abandon:Enabled = false)")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Error, Message = "Abandon sweep failed; the next sweep tries again")]
    private partial void LogSweepFailed(Exception exception);
}
