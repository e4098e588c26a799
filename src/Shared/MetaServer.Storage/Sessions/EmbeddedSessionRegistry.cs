namespace MetaServer.Storage;

/// <summary>
/// In-process <see cref="ISessionRegistry"/> for a single process. Expiry follows the given
/// <see cref="TimeProvider"/>; expired entries are invisible at once and dropped when next touched or swept. Thread-safe.
/// </summary>
public sealed class EmbeddedSessionRegistry : ISessionRegistry
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (SessionLocation Session, DateTimeOffset ExpiresAt)> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private DateTimeOffset _nextSweep;

    public EmbeddedSessionRegistry(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _nextSweep = timeProvider.GetUtcNow() + SweepInterval;
    }

    public ValueTask RegisterAsync(SessionLocation session, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        SessionArguments.Validate(session);
        SessionArguments.ValidateTimeToLive(timeToLive);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            SweepIfDue(now);
            _entries[session.PlayerId] = (session, now + timeToLive);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<SessionRefresh> RefreshAsync(string playerId, string sessionId, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        StorageIds.Validate(sessionId, nameof(sessionId));
        SessionArguments.ValidateTimeToLive(timeToLive);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!TryGetLive(playerId, now, out var session))
            {
                return ValueTask.FromResult(SessionRefresh.Missing);
            }

            if (!string.Equals(session.SessionId, sessionId, StringComparison.Ordinal))
            {
                return ValueTask.FromResult(SessionRefresh.Superseded);
            }

            _entries[playerId] = (session, now + timeToLive);
            return ValueTask.FromResult(SessionRefresh.Refreshed);
        }
    }

    public ValueTask<bool> UnregisterAsync(string playerId, string sessionId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        StorageIds.Validate(sessionId, nameof(sessionId));
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!TryGetLive(playerId, now, out var session) || !string.Equals(session.SessionId, sessionId, StringComparison.Ordinal))
            {
                return ValueTask.FromResult(false);
            }

            _entries.Remove(playerId);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<SessionLocation?> LookupAsync(string playerId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return ValueTask.FromResult(TryGetLive(playerId, now, out var session) ? session : null);
        }
    }

    public ValueTask<IReadOnlyDictionary<string, SessionLocation>> LookupManyAsync(IReadOnlyCollection<string> playerIds, CancellationToken cancellationToken = default)
    {
        SessionArguments.ValidateBatch(playerIds);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        var found = new Dictionary<string, SessionLocation>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var id in playerIds)
            {
                if (TryGetLive(id, now, out var session))
                {
                    found[id] = session;
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, SessionLocation>>(found);
    }

    /// <summary>Time left before the player's entry expires, or null when there is none (for tests and diagnostics).</summary>
    public TimeSpan? TimeToLiveOf(string playerId)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return _entries.TryGetValue(playerId, out var entry) && entry.ExpiresAt > now ? entry.ExpiresAt - now : null;
        }
    }

    private bool TryGetLive(string playerId, DateTimeOffset now, out SessionLocation session)
    {
        if (_entries.TryGetValue(playerId, out var entry))
        {
            if (entry.ExpiresAt > now)
            {
                session = entry.Session;
                return true;
            }

            _entries.Remove(playerId);
        }

        session = null!;
        return false;
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + SweepInterval;
        foreach (var (id, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.Remove(id);
            }
        }
    }
}
