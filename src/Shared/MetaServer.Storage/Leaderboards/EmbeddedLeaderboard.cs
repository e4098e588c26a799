namespace MetaServer.Storage;

/// <summary>
/// In-process <see cref="ILeaderboard"/>: a score per player plus an order-statistic tree, so submissions,
/// rank look-ups and pages cost O(log n) (plus the page size), never a sort. Thread-safe.
/// </summary>
public sealed class EmbeddedLeaderboard : ILeaderboard
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _scores = new(StringComparer.Ordinal);
    private readonly RankedSet _order = new();

    public ValueTask<long> SubmitAsync(string playerId, long score, ScoreUpdate update, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        LeaderboardArguments.ValidateScore(score);
        LeaderboardArguments.ValidateUpdate(update);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_scores.TryGetValue(playerId, out var current))
            {
                if (current == score || (update == ScoreUpdate.KeepBest && current > score))
                {
                    return ValueTask.FromResult(current);
                }

                _order.Remove(current, playerId);
            }

            _order.Add(score, playerId);
            _scores[playerId] = score;
            return ValueTask.FromResult(score);
        }
    }

    public ValueTask<IReadOnlyList<LeaderboardEntry>> GetTopAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ILeaderboard.MaxPageSize);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(Entries(0, count));
        }
    }

    public ValueTask<LeaderboardEntry?> GetEntryAsync(string playerId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_scores.TryGetValue(playerId, out var score))
            {
                return ValueTask.FromResult<LeaderboardEntry?>(null);
            }

            return ValueTask.FromResult<LeaderboardEntry?>(new LeaderboardEntry(_order.IndexOf(score, playerId) + 1, playerId, score));
        }
    }

    public ValueTask<IReadOnlyList<LeaderboardEntry>> GetNeighboursAsync(string playerId, int count, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ILeaderboard.MaxNeighbours);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_scores.TryGetValue(playerId, out var score))
            {
                return ValueTask.FromResult<IReadOnlyList<LeaderboardEntry>>([]);
            }

            var index = _order.IndexOf(score, playerId);
            var start = Math.Max(0, index - count);
            return ValueTask.FromResult(Entries(start, index + count + 1 - start));
        }
    }

    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult((long)_scores.Count);
        }
    }

    public ValueTask<bool> RemoveAsync(string playerId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_scores.Remove(playerId, out var score))
            {
                return ValueTask.FromResult(false);
            }

            _order.Remove(score, playerId);
            return ValueTask.FromResult(true);
        }
    }

    private IReadOnlyList<LeaderboardEntry> Entries(int start, int count)
    {
        var range = _order.Range(start, count);
        var result = new List<LeaderboardEntry>(range.Count);
        for (var i = 0; i < range.Count; i++)
        {
            result.Add(new LeaderboardEntry(start + i + 1, range[i].PlayerId, range[i].Score));
        }

        return result;
    }
}
