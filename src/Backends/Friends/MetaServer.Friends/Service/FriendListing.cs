using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Service;

/// <summary>
/// The friend list answer: the player's graph record (one read), the summaries of everyone in it (cache batch, misses
/// from the accounts store in one batch), and the presence of the friends (session registry batch + activity batch).
/// </summary>
internal sealed class FriendListing(GraphStore graphs, FriendAccounts accounts, FriendPresenceReader presence, IOptions<FriendsOptions> options)
{
    public async Task<FriendListResponse> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var graph = (await graphs.ReadAsync(accountId, cancellationToken)).Record;
        var ids = graph.Relations.Keys.ToList();
        var summaries = ids.Count == 0 ? new Dictionary<string, AccountSummary>() : await accounts.SummariesAsync(ids, cancellationToken);
        var friendIds = graph.Relations.Where(r => r.Value.Kind == RelationKind.Friend).Select(r => r.Key).ToList();
        var presences = friendIds.Count == 0
            ? new Dictionary<string, FriendPresence>()
            : (await presence.ReadAsync(friendIds, cancellationToken)).Presence;

        var response = new FriendListResponse { FriendCode = graph.FriendCode ?? string.Empty, MaxFriends = options.Value.MaxFriends };
        FriendEntry Entry(string id, DateTimeOffset since, FriendPresence p) => new()
        {
            AccountId = id,
            Nickname = summaries.TryGetValue(id, out var s) ? s.Nickname : string.Empty,
            Level = summaries.TryGetValue(id, out var l) ? l.Level : 0,
            Presence = p,
            SinceUnixMs = since.ToUnixTimeMilliseconds(),
        };

        response.Friends.AddRange(graph.Relations
            .Where(r => r.Value.Kind == RelationKind.Friend)
            .Select(r => Entry(r.Key, r.Value.Since, presences.GetValueOrDefault(r.Key, FriendPresence.Offline)))
            .OrderByDescending(e => e.Presence != FriendPresence.Offline)
            .ThenBy(e => e.Nickname, StringComparer.OrdinalIgnoreCase)
            .ThenBy(e => e.AccountId, StringComparer.Ordinal));
        response.Incoming.AddRange(Pending(graph, RelationKind.Incoming).Select(r => Entry(r.Key, r.Value.Since, FriendPresence.Unspecified)));
        response.Outgoing.AddRange(Pending(graph, RelationKind.Outgoing).Select(r => Entry(r.Key, r.Value.Since, FriendPresence.Unspecified)));
        response.Blocked.AddRange(graph.Relations
            .Where(r => r.Value.Blocked)
            .OrderByDescending(r => r.Value.BlockedSince)
            .Select(r => Entry(r.Key, r.Value.BlockedSince ?? r.Value.Since, FriendPresence.Unspecified)));
        return response;
    }

    private static IEnumerable<KeyValuePair<string, RelationEntry>> Pending(GraphRecord graph, RelationKind kind) =>
        graph.Relations.Where(r => r.Value.Kind == kind).OrderByDescending(r => r.Value.Since);
}
