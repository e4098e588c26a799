namespace MetaServer.Storage;

/// <summary>
/// In-process <see cref="IAccountSummaryCache"/>. Expiry follows the given <see cref="TimeProvider"/>; expired
/// entries are invisible at once and swept out during writes at most once per time to live. Thread-safe.
/// </summary>
public sealed class EmbeddedAccountSummaryCache : IAccountSummaryCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (AccountSummary Summary, DateTimeOffset ExpiresAt)> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private DateTimeOffset _nextSweep;

    public EmbeddedAccountSummaryCache(TimeProvider timeProvider, TimeSpan timeToLive)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        _timeProvider = timeProvider;
        TimeToLive = timeToLive;
        _nextSweep = timeProvider.GetUtcNow() + timeToLive;
    }

    public TimeSpan TimeToLive { get; }

    public ValueTask<IReadOnlyDictionary<string, AccountSummary>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default)
    {
        AccountSummaryArguments.ValidateBatch(accountIds);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        var found = new Dictionary<string, AccountSummary>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var id in accountIds)
            {
                if (_entries.TryGetValue(id, out var entry) && entry.ExpiresAt > now)
                {
                    found[id] = entry.Summary;
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, AccountSummary>>(found);
    }

    public ValueTask<AccountSummary?> GetAsync(string accountId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(accountId, nameof(accountId));
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return ValueTask.FromResult(_entries.TryGetValue(accountId, out var entry) && entry.ExpiresAt > now ? entry.Summary : null);
        }
    }

    public ValueTask<bool> SetAsync(AccountSummary summary, CancellationToken cancellationToken = default)
    {
        AccountSummaryArguments.Validate(summary);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            SweepIfDue(now);
            if (_entries.TryGetValue(summary.AccountId, out var current) && current.ExpiresAt > now && current.Summary.Revision > summary.Revision)
            {
                return ValueTask.FromResult(false);
            }

            _entries[summary.AccountId] = (summary, now + TimeToLive);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask RemoveAsync(string accountId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(accountId, nameof(accountId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _entries.Remove(accountId);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Time left before the entry expires, or null when there is no live entry (for tests and diagnostics).</summary>
    public TimeSpan? TimeToLiveOf(string accountId)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            return _entries.TryGetValue(accountId, out var entry) && entry.ExpiresAt > now ? entry.ExpiresAt - now : null;
        }
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + TimeToLive;
        foreach (var (id, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.Remove(id);
            }
        }
    }
}
