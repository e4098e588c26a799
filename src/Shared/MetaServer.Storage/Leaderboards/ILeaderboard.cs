namespace MetaServer.Storage;

/// <summary>
/// A global ranking of players by an integer score, highest first.
/// <para>
/// Order: higher score first; equal scores are ordered by player id in <b>descending</b> Unicode code point order
/// (the same as descending UTF-8 byte order: the Redis sorted-set order read with ZREVRANGE), so every query sees
/// one deterministic order. Ranks are 1-based and dense over players (no two players share a rank).
/// </para>
/// <para>Scores are whole numbers within ±2^53 (<see cref="MaxScore"/>), where Redis' double scores are exact.</para>
/// </summary>
public interface ILeaderboard
{
    /// <summary>Largest absolute score: 2^53, the last integer a double holds exactly.</summary>
    public const long MaxScore = 1L << 53;

    /// <summary>Most entries one <see cref="GetTopAsync"/> returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Most neighbours on each side one <see cref="GetNeighboursAsync"/> returns.</summary>
    public const int MaxNeighbours = 100;

    /// <summary>
    /// Records a score. <see cref="ScoreUpdate.Replace"/> stores it as is (a rating that can go down);
    /// <see cref="ScoreUpdate.KeepBest"/> stores it only when the player has no score yet or a lower one (a high
    /// score). Atomic per player. Returns the player's stored score afterwards.
    /// </summary>
    ValueTask<long> SubmitAsync(string playerId, long score, ScoreUpdate update, CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="count"/> entries (0..<see cref="MaxPageSize"/>), rank 1 first.</summary>
    ValueTask<IReadOnlyList<LeaderboardEntry>> GetTopAsync(int count, CancellationToken cancellationToken = default);

    /// <summary>The player's rank and score, or null when the player has no score.</summary>
    ValueTask<LeaderboardEntry?> GetEntryAsync(string playerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="count"/> (0..<see cref="MaxNeighbours"/>) entries above the player, the player, and up to
    /// <paramref name="count"/> entries below, in rank order (fewer at either end of the board). Empty when the
    /// player has no score. Read atomically.
    /// </summary>
    ValueTask<IReadOnlyList<LeaderboardEntry>> GetNeighboursAsync(string playerId, int count, CancellationToken cancellationToken = default);

    /// <summary>How many players have a score.</summary>
    ValueTask<long> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the player's score; false when there was none.</summary>
    ValueTask<bool> RemoveAsync(string playerId, CancellationToken cancellationToken = default);
}

/// <summary>How <see cref="ILeaderboard.SubmitAsync"/> treats an existing score.</summary>
public enum ScoreUpdate
{
    /// <summary>Keep the higher of the stored and the submitted score.</summary>
    KeepBest = 0,

    /// <summary>Store the submitted score, higher or lower.</summary>
    Replace = 1,
}

/// <summary>One leaderboard line: 1-based rank, player and score.</summary>
public sealed record LeaderboardEntry(long Rank, string PlayerId, long Score);

/// <summary>Argument checks shared by the leaderboard implementations.</summary>
public static class LeaderboardArguments
{
    public static void ValidateScore(long score)
    {
        if (score is > ILeaderboard.MaxScore or < -ILeaderboard.MaxScore)
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "Scores must lie within ±2^53.");
        }
    }

    public static void ValidateUpdate(ScoreUpdate update)
    {
        if (update is not (ScoreUpdate.KeepBest or ScoreUpdate.Replace))
        {
            throw new ArgumentOutOfRangeException(nameof(update), update, "Unknown score update.");
        }
    }

    /// <summary>Order of two entries: higher score first, then player id in descending code point order.</summary>
    public static int Compare(long scoreA, string playerA, long scoreB, string playerB)
    {
        var byScore = scoreB.CompareTo(scoreA);
        return byScore != 0 ? byScore : StorageIds.CompareCodePoints(playerB, playerA);
    }
}
