namespace MetaServer.Storage;

/// <summary>
/// Named leaderboards: every board id is its own, independent <see cref="ILeaderboard"/> (e.g. one board per
/// season: <c>rating.2026-11</c>). A board that was never written is empty. Boards are never removed by the store;
/// <see cref="ILeaderboard"/> is the board named <see cref="RatingBoardId"/>.
/// </summary>
public interface ILeaderboardStore
{
    /// <summary>Id of the board that the plain <see cref="ILeaderboard"/> service is.</summary>
    public const string RatingBoardId = "rating";

    /// <summary>The board with this id (see <see cref="LeaderboardIds"/>); cheap, the same data for the same id.</summary>
    /// <exception cref="ArgumentException">The id breaks the <see cref="LeaderboardIds"/> rules.</exception>
    ILeaderboard Get(string boardId);
}

/// <summary>Board ids: 1 to <see cref="MaxLength"/> ASCII letters, digits, '.', '_', ':' and '-'.</summary>
public static class LeaderboardIds
{
    public const int MaxLength = 128;

    public static void Validate(string boardId)
    {
        ArgumentNullException.ThrowIfNull(boardId);
        if (boardId.Length is 0 or > MaxLength)
        {
            throw new ArgumentException($"A leaderboard id must be 1-{MaxLength} characters long.", nameof(boardId));
        }

        foreach (var c in boardId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
            {
                throw new ArgumentException("A leaderboard id may only contain ASCII letters, digits, '.', '_', ':' and '-'.", nameof(boardId));
            }
        }
    }
}
