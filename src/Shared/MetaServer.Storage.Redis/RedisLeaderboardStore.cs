using StackExchange.Redis;

namespace MetaServer.Storage.Redis;

/// <summary>
/// <see cref="ILeaderboardStore"/> on Redis: board <c>id</c> is the sorted set <c>{KeyPrefix}:lb:{id}</c>
/// (<see cref="RedisKeys.Leaderboard"/>), shared by every deployment version; board <c>rating</c> is the key the
/// plain <see cref="ILeaderboard"/> service has always used.
/// </summary>
public sealed class RedisLeaderboardStore(IDatabase database, RedisKeys keys, TimeSpan operationTimeout) : ILeaderboardStore
{
    private readonly IDatabase _database = database ?? throw new ArgumentNullException(nameof(database));
    private readonly RedisKeys _keys = keys ?? throw new ArgumentNullException(nameof(keys));

    public ILeaderboard Get(string boardId)
    {
        LeaderboardIds.Validate(boardId);
        return new RedisLeaderboard(_database, _keys.Leaderboard(boardId), operationTimeout);
    }
}
