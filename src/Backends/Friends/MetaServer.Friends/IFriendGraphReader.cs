using MetaServer.Friends.Service;
using MetaServer.Friends.Storage;

namespace MetaServer.Friends;

/// <summary>
/// Read-only questions other services ask about the friend graph (the party service: "has B blocked A?", "are A and B
/// friends?"; the matches leaderboard: "who are A's friends?"). Needs only an <see cref="IFriendStore"/>
/// (<c>AddFriendGraphReader</c>); every answer is one strongly consistent read of one player's record.
/// </summary>
public interface IFriendGraphReader
{
    /// <summary>Whether <paramref name="blockerId"/> blocked <paramref name="otherId"/>.</summary>
    ValueTask<bool> IsBlockedAsync(string blockerId, string otherId, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="accountId"/> lists <paramref name="otherId"/> as a friend.</summary>
    ValueTask<bool> AreFriendsAsync(string accountId, string otherId, CancellationToken cancellationToken = default);

    /// <summary>The account ids of <paramref name="accountId"/>'s friends (empty when none), in no particular order.</summary>
    ValueTask<IReadOnlyList<string>> GetFriendIdsAsync(string accountId, CancellationToken cancellationToken = default);
}

/// <summary><see cref="IFriendGraphReader"/> over the friend store.</summary>
public sealed class FriendStoreGraphReader(IFriendStore store) : IFriendGraphReader
{
    private readonly GraphStore _graphs = new(store);

    public async ValueTask<bool> IsBlockedAsync(string blockerId, string otherId, CancellationToken cancellationToken = default) =>
        (await _graphs.ReadAsync(blockerId, cancellationToken)).Record.HasBlocked(otherId);

    public async ValueTask<bool> AreFriendsAsync(string accountId, string otherId, CancellationToken cancellationToken = default) =>
        (await _graphs.ReadAsync(accountId, cancellationToken)).Record.KindOf(otherId) == RelationKind.Friend;

    public async ValueTask<IReadOnlyList<string>> GetFriendIdsAsync(string accountId, CancellationToken cancellationToken = default) =>
        [.. (await _graphs.ReadAsync(accountId, cancellationToken)).Record.Relations.Where(r => r.Value.Kind == RelationKind.Friend).Select(r => r.Key)];
}
