using System.Collections.Concurrent;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;

namespace MetaServer.Frontend;

/// <summary>
/// Keeps this instance's authenticated sessions in the shared <see cref="ISessionRegistry"/>, so backends can push
/// events to their players (<see cref="PlayerEventPublisher"/>): registers a session when it authenticates,
/// refreshes it every third of <see cref="FrontendOptions.PresenceTtl"/> while it lives (registering again if the
/// entry was lost), stops refreshing once a newer session of the player took over, and unregisters it when it
/// ends. Registry failures are logged and never fail a session; the time to live bounds any stale entry.
/// Without a registered <see cref="ISessionRegistry"/> this does nothing.
/// </summary>
internal sealed class SessionPresence
{
    private readonly ISessionRegistry? _registry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SessionPresence> _logger;
    private readonly string _instanceId;
    private readonly string _replyQueue;
    private readonly TimeSpan _timeToLive;
    private readonly ConcurrentDictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);
    private readonly Func<string, string, Task>? _onAuthenticated;

    /// <param name="registry">The shared registry; null: nothing is registered.</param>
    /// <param name="options">Frontend options (instance id, time to live).</param>
    /// <param name="replyQueue">This instance's reply queue, where backends push events.</param>
    /// <param name="timeProvider">Clock of the refresh timer.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="onAuthenticated">Called with (session id, player id) after a session is registered (e.g. the friends service's online notice).</param>
    public SessionPresence(
        ISessionRegistry? registry, FrontendOptions options, string replyQueue, TimeProvider timeProvider, ILogger<SessionPresence> logger, Func<string, string, Task>? onAuthenticated = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _timeProvider = timeProvider;
        _logger = logger;
        _instanceId = options.InstanceId;
        _replyQueue = replyQueue;
        _timeToLive = options.PresenceTtl;
        _onAuthenticated = onAuthenticated;
    }

    /// <summary>Sessions currently kept registered.</summary>
    public int Count => _tracked.Count;

    /// <summary>
    /// Registers the session; completes once the first registration is stored (or has failed and been logged) and the
    /// <c>onAuthenticated</c> callback has run.
    /// </summary>
    public async Task AuthenticatedAsync(string sessionId, string playerId)
    {
        if (_registry is not null)
        {
            var tracked = new Tracked(this, _registry, new SessionLocation(playerId, sessionId, _instanceId, _replyQueue));
            if (_tracked.TryAdd(sessionId, tracked))
            {
                await tracked.StartAsync();
            }
        }

        if (_onAuthenticated is not null)
        {
            await _onAuthenticated(sessionId, playerId);
        }
    }

    /// <summary>Stops refreshing the session and removes its entry unless a newer session of the player owns it.</summary>
    public Task EndedAsync(string sessionId) =>
        _tracked.TryRemove(sessionId, out var tracked) ? tracked.StopAsync() : Task.CompletedTask;

    /// <summary>One session's registration; its registry calls run one at a time.</summary>
    private sealed class Tracked(SessionPresence owner, ISessionRegistry registry, SessionLocation session)
    {
        private readonly SemaphoreSlim _turn = new(1, 1);
        private readonly Lock _timerGate = new();
        private ITimer? _timer;
        private bool _stopped;
        private bool _superseded;

        public async Task StartAsync()
        {
            await RunAsync(() => registry.RegisterAsync(session, owner._timeToLive).AsTask());
            var period = owner._timeToLive / 3;
            lock (_timerGate)
            {
                if (!_stopped)
                {
                    _timer = owner._timeProvider.CreateTimer(static s => _ = ((Tracked)s!).RefreshAsync(), this, period, period);
                }
            }
        }

        public async Task StopAsync()
        {
            lock (_timerGate)
            {
                _stopped = true;
                _timer?.Dispose();
            }

            await _turn.WaitAsync();
            try
            {
                if (!_superseded)
                {
                    await registry.UnregisterAsync(session.PlayerId, session.SessionId);
                }
            }
#pragma warning disable CA1031 // Logged; the entry expires on its own.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.PresenceFailed(owner._logger, ex, session.SessionId);
            }
            finally
            {
                _turn.Release();
            }
        }

        private Task RefreshAsync() => RunAsync(async () =>
        {
            switch (await registry.RefreshAsync(session.PlayerId, session.SessionId, owner._timeToLive))
            {
                case SessionRefresh.Missing:
                    Log.PresenceRestored(owner._logger, session.SessionId);
                    await registry.RegisterAsync(session, owner._timeToLive);
                    break;
                case SessionRefresh.Superseded:
                    Log.PresenceSuperseded(owner._logger, session.SessionId, session.PlayerId);
                    _superseded = true;
                    lock (_timerGate)
                    {
                        _timer?.Dispose();
                    }

                    break;
                default:
                    break;
            }
        });

        private async Task RunAsync(Func<Task> operation)
        {
            await _turn.WaitAsync();
            try
            {
                if (!_stopped && !_superseded)
                {
                    await operation();
                }
            }
#pragma warning disable CA1031 // Logged; the next refresh tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.PresenceFailed(owner._logger, ex, session.SessionId);
            }
            finally
            {
                _turn.Release();
            }
        }
    }
}
