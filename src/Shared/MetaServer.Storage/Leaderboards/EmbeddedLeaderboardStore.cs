using System.Collections.Concurrent;

namespace MetaServer.Storage;

/// <summary>In-process <see cref="ILeaderboardStore"/>: one <see cref="EmbeddedLeaderboard"/> per board id, created on first use. Thread-safe.</summary>
public sealed class EmbeddedLeaderboardStore : ILeaderboardStore
{
    private readonly ConcurrentDictionary<string, EmbeddedLeaderboard> _boards = new(StringComparer.Ordinal);

    public ILeaderboard Get(string boardId)
    {
        LeaderboardIds.Validate(boardId);
        return _boards.GetOrAdd(boardId, static _ => new EmbeddedLeaderboard());
    }
}
