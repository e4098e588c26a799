namespace MetaServer.Storage;

/// <summary>
/// What other players see of an account (friend lists, leaderboards, match lobbies): small and cheap to read
/// in bulk. <see cref="Revision"/> is the account's stored revision; a cache never replaces a summary with one of
/// a lower revision.
/// </summary>
public sealed record AccountSummary
{
    public required string AccountId { get; init; }

    /// <summary>The account revision this summary was taken from (1 and up).</summary>
    public required long Revision { get; init; }

    public required string Nickname { get; init; }

    /// <summary>Player level; 0 until a progression service sets it.</summary>
    public int Level { get; init; }

    /// <summary>Rating; 0 until a rating service sets it.</summary>
    public long Rating { get; init; }

    public DateTimeOffset? LastLoginAt { get; init; }
}
