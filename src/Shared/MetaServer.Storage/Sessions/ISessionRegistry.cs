namespace MetaServer.Storage;

/// <summary>
/// Where each online player is connected: the session, the frontend instance holding it and that instance's
/// reply queue (where server events for the player go). One entry per player: the latest registration wins.
/// Entries expire unless refreshed, so a frontend that dies without unregistering leaves nothing behind for
/// longer than one time to live.
/// <para>
/// Redis, not DynamoDB, backs this in production: entries must vanish within milliseconds of their expiry
/// (Redis expires keys natively with millisecond precision, whereas DynamoDB TTL deletes lazily, up to days
/// later, so every read would have to filter expired items, and the DynamoDB stand-in has no TTL at all); the
/// registry is refreshed by every live session every few seconds and read on every push, a write and read
/// rate at sub-millisecond latency that suits an in-memory store; and losing it only costs a re-registration
/// on the next refresh, so it needs no durable store.
/// </para>
/// </summary>
public interface ISessionRegistry
{
    /// <summary>Most ids one <see cref="LookupManyAsync"/> takes.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>Records the player's session (replacing any earlier one of the player) for <paramref name="timeToLive"/>.</summary>
    ValueTask RegisterAsync(SessionLocation session, TimeSpan timeToLive, CancellationToken cancellationToken = default);

    /// <summary>Restarts the time to live of the player's entry if it is still <paramref name="sessionId"/>.</summary>
    ValueTask<SessionRefresh> RefreshAsync(string playerId, string sessionId, TimeSpan timeToLive, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the player's entry only if it is still <paramref name="sessionId"/>: a newer session of the player
    /// (on any frontend) is never removed by an older one. Returns whether an entry was removed.
    /// </summary>
    ValueTask<bool> UnregisterAsync(string playerId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The player's live session, or null when the player is offline.</summary>
    ValueTask<SessionLocation?> LookupAsync(string playerId, CancellationToken cancellationToken = default);

    /// <summary>The live sessions of the given players (up to <see cref="MaxBatchSize"/>) in one round trip; offline players are absent.</summary>
    ValueTask<IReadOnlyDictionary<string, SessionLocation>> LookupManyAsync(IReadOnlyCollection<string> playerIds, CancellationToken cancellationToken = default);
}

/// <summary>A player's live session: which frontend instance holds it and where that instance reads server events.</summary>
public sealed record SessionLocation(string PlayerId, string SessionId, string FrontendInstanceId, string ReplyQueue);

/// <summary>Outcome of <see cref="ISessionRegistry.RefreshAsync"/>.</summary>
public enum SessionRefresh
{
    /// <summary>The entry was this session; its time to live restarted.</summary>
    Refreshed = 0,

    /// <summary>The player has no entry (it expired or was removed): register again if the session still lives.</summary>
    Missing = 1,

    /// <summary>A different session of the player is registered: this one must not take the entry back.</summary>
    Superseded = 2,
}

/// <summary>Argument checks shared by the registry implementations.</summary>
public static class SessionArguments
{
    public static void Validate(SessionLocation session)
    {
        ArgumentNullException.ThrowIfNull(session);
        StorageIds.Validate(session.PlayerId, nameof(session));
        StorageIds.Validate(session.SessionId, nameof(session));
        StorageIds.Validate(session.FrontendInstanceId, nameof(session));
        StorageIds.Validate(session.ReplyQueue, nameof(session));
    }

    public static void ValidateTimeToLive(TimeSpan timeToLive)
    {
        if (timeToLive < TimeSpan.FromMilliseconds(1) || timeToLive > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "A session time to live lies between 1 ms and 1 day.");
        }
    }

    public static void ValidateBatch(IReadOnlyCollection<string> playerIds)
    {
        ArgumentNullException.ThrowIfNull(playerIds);
        if (playerIds.Count > ISessionRegistry.MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(playerIds), playerIds.Count, $"At most {ISessionRegistry.MaxBatchSize} ids per batch.");
        }

        foreach (var id in playerIds)
        {
            StorageIds.Validate(id, nameof(playerIds));
        }
    }
}
