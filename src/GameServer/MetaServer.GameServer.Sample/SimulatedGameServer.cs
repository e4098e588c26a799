using MetaServer.GameServer.Sdk;
using MetaServer.Hosting;
using MetaServer.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.GameServer.Sample;

/// <summary>
/// Simulated game servers: <see cref="SimulatedGameServerOptions.Slots"/> slots, each looping placement → match →
/// started report → simulated match (<see cref="SimulatedGameServerOptions.MatchDuration"/> on the
/// <see cref="TimeProvider"/>) → result report, one match at a time.
/// Stop rule: <see cref="StopAsync"/> stops taking placements at once (an unserved placement is left on its queue for
/// another server); a match in progress is finished and reported, unless the stop token (the host's shutdown
/// timeout) fires first: then it is abandoned — no result is reported, its per-match queue is deleted, and the
/// match stays STARTED until the matches service gives it up.
/// </summary>
public sealed partial class SimulatedGameServer : IHostedService, IAsyncDisposable
{
    private readonly IMessageTransport _transport;
    private readonly SimulatedGameServerOptions _options;
    private readonly string _deploymentVersion;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<SimulatedGameServer> _logger;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _abort = new();
    private Task[] _slots = [];
    private int _completed;
    private int _abandoned;
    private int _disposed;

    public SimulatedGameServer(
        IMessageTransport transport,
        IOptions<SimulatedGameServerOptions> options,
        IOptions<MetaServerOptions> metaServerOptions,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metaServerOptions);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _transport = transport;
        _options = options.Value;
        _deploymentVersion = metaServerOptions.Value.DeploymentVersion;
        _time = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SimulatedGameServer>();
    }

    /// <summary>Matches played to the end and reported.</summary>
    public int MatchesCompleted => Volatile.Read(ref _completed);

    /// <summary>Matches given up (stop deadline, or a report that could not be sent).</summary>
    public int MatchesAbandoned => Volatile.Read(ref _abandoned);

    /// <summary>Creates the placement queue (idempotent) and starts the slots. Does nothing when disabled.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled || _slots.Length > 0)
        {
            return;
        }

        var clients = Enumerable.Range(0, _options.Slots).Select(CreateClient).ToArray();
        await clients[0].EnsurePlacementQueueAsync(cancellationToken).ConfigureAwait(false);
        _slots = clients.Select((client, slot) => Task.Run(() => RunSlotAsync(client, NewRandom(slot)), CancellationToken.None)).ToArray();
        Log.Started(_logger, _options.Slots, clients[0].PlacementQueue, _options.MatchDuration);
    }

    /// <summary>Stops taking placements and waits for the slots; see the class summary for the stop rule.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopTaking.CancelAsync().ConfigureAwait(false);
        using var registration = cancellationToken.Register(() => _abort.Cancel());
        await Task.WhenAll(_slots).ConfigureAwait(false);
        Log.Stopped(_logger, MatchesCompleted, MatchesAbandoned);
    }

    /// <summary>Abandons any match in progress and waits for the slots to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopTaking.CancelAsync().ConfigureAwait(false);
        await _abort.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_slots).ConfigureAwait(false);
        _stopTaking.Dispose();
        _abort.Dispose();
    }

    private GameServerClient CreateClient(int slot) => new(
        _transport,
        new GameServerClientOptions
        {
            DeploymentVersion = _deploymentVersion,
            GameServerId = $"{_options.GameServerIdPrefix}-{slot}",
            PlacementWaitTime = _options.PlacementWaitTime,
            PlacementVisibilityTimeout = _options.PlacementVisibilityTimeout,
            MatchMessageTimeout = _options.MatchMessageTimeout,
        },
        _time,
        _loggerFactory.CreateLogger<GameServerClient>());

    private Random NewRandom(int slot) => _options.Seed is { } seed ? new Random(unchecked(seed + slot)) : new Random();

    private async Task RunSlotAsync(GameServerClient client, Random random)
    {
        var stopTaking = _stopTaking.Token;
        while (!stopTaking.IsCancellationRequested)
        {
            MatchSession? session;
            try
            {
                session = await client.TryAcceptMatchAsync(stopTaking).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopTaking.IsCancellationRequested)
            {
                break;
            }
            catch (GameServerHandOffException ex)
            {
                Log.HandOffFailed(_logger, client.GameServerId, ex.MatchId, ex.Reason, ex.Message);
                continue;
            }
            catch (TransportException ex)
            {
                Log.TransportFailed(_logger, client.GameServerId, ex);
                if (!await BackOffAsync(stopTaking).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (session is not null)
            {
                await using (session.ConfigureAwait(false))
                {
                    await PlayAsync(session, random).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task PlayAsync(MatchSession session, Random random)
    {
        var abort = _abort.Token;
        try
        {
            // The match clock starts before the started report goes out: whoever reads that report (a test with a
            // manual clock) knows the match timer is already running.
            var match = Task.Delay(_options.MatchDuration, _time, abort);
            await session.ReportStartedAsync(abort).ConfigureAwait(false);
            await match.ConfigureAwait(false);
            var result = MatchSimulator.Simulate(session.Match, random, _options.DrawChance, _options.LeaveEarlyChance, _time.GetUtcNow());
            await session.ReportResultAsync(result, abort).ConfigureAwait(false);
            Interlocked.Increment(ref _completed);
            Log.MatchCompleted(_logger, session.GameServerId, session.MatchId);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            Interlocked.Increment(ref _abandoned);
            Log.MatchAbandoned(_logger, session.GameServerId, session.MatchId, "the stop deadline passed");
        }
        catch (TransportException ex)
        {
            Interlocked.Increment(ref _abandoned);
            Log.MatchAbandoned(_logger, session.GameServerId, session.MatchId, ex.Message);
        }
        catch (MatchResultValidationException ex)
        {
            Interlocked.Increment(ref _abandoned);
            Log.MatchAbandoned(_logger, session.GameServerId, session.MatchId, ex.Message);
        }
    }

    private async Task<bool> BackOffAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.FailureBackoff, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "Simulated game servers: {Slots} slots on {PlacementQueue}, matches of {Duration}")]
        public static partial void Started(ILogger logger, int slots, string placementQueue, TimeSpan duration);

        [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Simulated game servers stopped: {Completed} matches completed, {Abandoned} abandoned")]
        public static partial void Stopped(ILogger logger, int completed, int abandoned);

        [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Game server {GameServerId} could not take match {MatchId} ({Reason}): {Detail}")]
        public static partial void HandOffFailed(ILogger logger, string gameServerId, string matchId, HandOffFailure reason, string detail);

        [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Game server {GameServerId}: transport failure; retrying after a pause")]
        public static partial void TransportFailed(ILogger logger, string gameServerId, Exception exception);

        [LoggerMessage(EventId = 6104, Level = LogLevel.Information, Message = "Game server {GameServerId} completed match {MatchId}")]
        public static partial void MatchCompleted(ILogger logger, string gameServerId, string matchId);

        [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "Game server {GameServerId} abandoned match {MatchId}: {Why}")]
        public static partial void MatchAbandoned(ILogger logger, string gameServerId, string matchId, string why);
    }
}
