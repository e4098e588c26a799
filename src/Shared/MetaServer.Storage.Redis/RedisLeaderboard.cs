using System.Globalization;
using StackExchange.Redis;

namespace MetaServer.Storage.Redis;

/// <summary>
/// <see cref="ILeaderboard"/> on one Redis sorted set: member = player id, score = score. Read with ZREVRANGE and
/// ZREVRANK, so equal scores come in descending member byte order, as the contract says. Keep-best submission and
/// the rank/neighbour reads are Lua scripts, atomic and one round trip each.
/// </summary>
public sealed class RedisLeaderboard : ILeaderboard
{
    private const string KeepBestScript = """
        local current = redis.call('ZSCORE', KEYS[1], ARGV[2])
        if current and tonumber(current) >= tonumber(ARGV[1]) then
          return current
        end
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
        return ARGV[1]
        """;

    private const string EntryScript = """
        local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
        if not rank then
          return false
        end
        return { rank, redis.call('ZSCORE', KEYS[1], ARGV[1]) }
        """;

    private const string NeighboursScript = """
        local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
        if not rank then
          return false
        end
        local k = tonumber(ARGV[2])
        local first = rank - k
        if first < 0 then
          first = 0
        end
        return { first, redis.call('ZREVRANGE', KEYS[1], first, rank + k, 'WITHSCORES') }
        """;

    private readonly IDatabase _database;
    private readonly RedisKey _key;
    private readonly TimeSpan _timeout;

    public RedisLeaderboard(IDatabase database, RedisKey key, TimeSpan operationTimeout)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _key = key;
        _timeout = operationTimeout;
    }

    public async ValueTask<long> SubmitAsync(string playerId, long score, ScoreUpdate update, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        LeaderboardArguments.ValidateScore(score);
        LeaderboardArguments.ValidateUpdate(update);
        if (update == ScoreUpdate.Replace)
        {
            await _database.SortedSetAddAsync(_key, playerId, score).Bounded(_timeout, cancellationToken);
            return score;
        }

        var stored = await _database.ScriptEvaluateAsync(KeepBestScript, [_key], [score, playerId]).Bounded(_timeout, cancellationToken);
        return ParseScore((string)stored!);
    }

    public async ValueTask<IReadOnlyList<LeaderboardEntry>> GetTopAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ILeaderboard.MaxPageSize);
        if (count == 0)
        {
            return [];
        }

        var items = await _database.SortedSetRangeByRankWithScoresAsync(_key, 0, count - 1, Order.Descending).Bounded(_timeout, cancellationToken);
        var result = new List<LeaderboardEntry>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            result.Add(new LeaderboardEntry(i + 1, (string)items[i].Element!, checked((long)items[i].Score)));
        }

        return result;
    }

    public async ValueTask<LeaderboardEntry?> GetEntryAsync(string playerId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        var reply = await _database.ScriptEvaluateAsync(EntryScript, [_key], [playerId]).Bounded(_timeout, cancellationToken);
        if (reply.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])reply!;
        return new LeaderboardEntry((long)parts[0] + 1, playerId, ParseScore((string)parts[1]!));
    }

    public async ValueTask<IReadOnlyList<LeaderboardEntry>> GetNeighboursAsync(string playerId, int count, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ILeaderboard.MaxNeighbours);
        var reply = await _database.ScriptEvaluateAsync(NeighboursScript, [_key], [playerId, count]).Bounded(_timeout, cancellationToken);
        if (reply.IsNull)
        {
            return [];
        }

        var parts = (RedisResult[])reply!;
        var first = (long)parts[0];
        var items = (RedisResult[])parts[1]!;
        var result = new List<LeaderboardEntry>(items.Length / 2);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            result.Add(new LeaderboardEntry(first + (i / 2) + 1, (string)items[i]!, ParseScore((string)items[i + 1]!)));
        }

        return result;
    }

    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default) =>
        await _database.SortedSetLengthAsync(_key).Bounded(_timeout, cancellationToken);

    public async ValueTask<bool> RemoveAsync(string playerId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        return await _database.SortedSetRemoveAsync(_key, playerId).Bounded(_timeout, cancellationToken);
    }

    /// <summary>Redis prints scores as doubles; ours are whole numbers within ±2^53, so the conversion is exact.</summary>
    private static long ParseScore(string text) => checked((long)double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
}
