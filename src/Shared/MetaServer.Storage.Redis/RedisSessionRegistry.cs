using StackExchange.Redis;

namespace MetaServer.Storage.Redis;

/// <summary>
/// <see cref="ISessionRegistry"/> on Redis strings: one key per player holding
/// <c>{sessionId}\n{frontendInstanceId}\n{replyQueue}</c> with a millisecond time to live (SET PX / PEXPIRE).
/// Refresh and unregister are Lua scripts that act only when the stored session id is the caller's, atomically.
/// A batch look-up is one MGET. See <see cref="ISessionRegistry"/> for why Redis rather than DynamoDB.
/// </summary>
public sealed class RedisSessionRegistry : ISessionRegistry
{
    private const char Separator = '\n';

    // Returns 1 refreshed, 0 missing, -1 another session.
    private const string RefreshScript = """
        local current = redis.call('GET', KEYS[1])
        if not current then
          return 0
        end
        if string.sub(current, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. '\n' then
          return -1
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    private const string UnregisterScript = """
        local current = redis.call('GET', KEYS[1])
        if current and string.sub(current, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '\n' then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private readonly IDatabase _database;
    private readonly RedisKeys _keys;
    private readonly TimeSpan _timeout;

    public RedisSessionRegistry(IDatabase database, RedisKeys keys, TimeSpan operationTimeout)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(keys);
        _database = database;
        _keys = keys;
        _timeout = operationTimeout;
    }

    public async ValueTask RegisterAsync(SessionLocation session, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        SessionArguments.Validate(session);
        SessionArguments.ValidateTimeToLive(timeToLive);
        var value = string.Join(Separator, session.SessionId, session.FrontendInstanceId, session.ReplyQueue);
        await _database.StringSetAsync(_keys.Session(session.PlayerId), value, timeToLive).Bounded(_timeout, cancellationToken);
    }

    public async ValueTask<SessionRefresh> RefreshAsync(string playerId, string sessionId, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        StorageIds.Validate(sessionId, nameof(sessionId));
        SessionArguments.ValidateTimeToLive(timeToLive);
        var outcome = (long)await _database.ScriptEvaluateAsync(
            RefreshScript,
            [_keys.Session(playerId)],
            [sessionId, (long)Math.Ceiling(timeToLive.TotalMilliseconds)]).Bounded(_timeout, cancellationToken);
        return outcome switch
        {
            1 => SessionRefresh.Refreshed,
            0 => SessionRefresh.Missing,
            _ => SessionRefresh.Superseded,
        };
    }

    public async ValueTask<bool> UnregisterAsync(string playerId, string sessionId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        StorageIds.Validate(sessionId, nameof(sessionId));
        var removed = await _database.ScriptEvaluateAsync(UnregisterScript, [_keys.Session(playerId)], [sessionId]).Bounded(_timeout, cancellationToken);
        return (long)removed == 1;
    }

    public async ValueTask<SessionLocation?> LookupAsync(string playerId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        return Decode(playerId, await _database.StringGetAsync(_keys.Session(playerId)).Bounded(_timeout, cancellationToken));
    }

    public async ValueTask<IReadOnlyDictionary<string, SessionLocation>> LookupManyAsync(IReadOnlyCollection<string> playerIds, CancellationToken cancellationToken = default)
    {
        SessionArguments.ValidateBatch(playerIds);
        var found = new Dictionary<string, SessionLocation>(StringComparer.Ordinal);
        if (playerIds.Count == 0)
        {
            return found;
        }

        var ids = playerIds.ToArray();
        var values = await _database.StringGetAsync(Array.ConvertAll(ids, _keys.Session)).Bounded(_timeout, cancellationToken);
        for (var i = 0; i < ids.Length; i++)
        {
            if (Decode(ids[i], values[i]) is { } session)
            {
                found[ids[i]] = session;
            }
        }

        return found;
    }

    private static SessionLocation? Decode(string playerId, RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        var parts = ((string)value!).Split(Separator);
        return parts.Length == 3 ? new SessionLocation(playerId, parts[0], parts[1], parts[2]) : null;
    }
}
