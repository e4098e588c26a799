namespace MetaServer.GameServer.Sdk;

/// <summary>Why taking a match failed.</summary>
public enum HandOffFailure
{
    /// <summary>The placement message is not a <c>gameserver.placement</c> envelope with a match id and queue (it was deleted).</summary>
    MalformedPlacement = 1,

    /// <summary>The per-match queue no longer exists: the match was served or given up already (the placement was deleted).</summary>
    MatchQueueMissing = 2,

    /// <summary>No match message arrived on the per-match queue within <see cref="GameServerClientOptions.MatchMessageTimeout"/>.</summary>
    MatchMessageTimeout = 3,

    /// <summary>The per-match queue held a message that is not a <c>gameserver.match</c> envelope.</summary>
    WrongMessageType = 4,

    /// <summary>The match message is for another match than the placement.</summary>
    WrongMatchId = 5,

    /// <summary>The match message cannot be parsed or misses required fields (teams, results queue).</summary>
    MalformedMatch = 6,
}

/// <summary>
/// Taking a match failed. Unless <see cref="Reason"/> says the placement was deleted, the placement was left on its
/// queue and reappears after its visibility timeout for another try (a redrive policy on the placement queue moves
/// one that keeps failing to its dead-letter queue).
/// </summary>
public sealed class GameServerHandOffException(HandOffFailure reason, string matchId, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public HandOffFailure Reason { get; } = reason;

    /// <summary>The placement's match id (empty when the placement had none).</summary>
    public string MatchId { get; } = matchId;
}

/// <summary>A match result the SDK refuses to send; <see cref="Problems"/> lists every problem found.</summary>
public sealed class MatchResultValidationException(string matchId, IReadOnlyList<string> problems)
    : ArgumentException($"Invalid result for match '{matchId}': {string.Join("; ", problems)}")
{
    public string MatchId { get; } = matchId;

    public IReadOnlyList<string> Problems { get; } = problems;
}
