using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Service;

/// <summary>
/// Presence of many players at once: ONLINE when the session registry has a session for them, refined to IN_QUEUE /
/// IN_MATCH by the latest activity the matches service reported (ignored once older than
/// <see cref="FriendsOptions.ActivityMaxAge"/>); OFFLINE otherwise. Also returns where each online player's session is.
/// </summary>
internal sealed class FriendPresenceReader(ISessionRegistry sessions, GraphStore graphs, IOptions<FriendsOptions> options, TimeProvider timeProvider)
{
    public async Task<PresenceSnapshot> ReadAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        var live = new Dictionary<string, SessionLocation>(StringComparer.Ordinal);
        foreach (var chunk in accountIds.Distinct(StringComparer.Ordinal).Chunk(ISessionRegistry.MaxBatchSize))
        {
            foreach (var (id, session) in await sessions.LookupManyAsync(chunk, cancellationToken))
            {
                live[id] = session;
            }
        }

        var activities = live.Count == 0
            ? new Dictionary<string, ActivityRecord>(StringComparer.Ordinal)
            : await graphs.ActivitiesAsync(live.Keys, cancellationToken);
        var presence = new Dictionary<string, FriendPresence>(StringComparer.Ordinal);
        foreach (var id in accountIds)
        {
            presence[id] = live.ContainsKey(id) ? Effective(activities.GetValueOrDefault(id)) : FriendPresence.Offline;
        }

        return new PresenceSnapshot(presence, live);
    }

    /// <summary>The presence of an online player with <paramref name="activity"/>.</summary>
    public FriendPresence Effective(ActivityRecord? activity)
    {
        if (activity is null || timeProvider.GetUtcNow().ToUnixTimeMilliseconds() - activity.AtUnixMs > options.Value.ActivityMaxAge.TotalMilliseconds)
        {
            return FriendPresence.Online;
        }

        return activity.Activity switch
        {
            PlayerActivity.InQueue => FriendPresence.InQueue,
            PlayerActivity.InMatch => FriendPresence.InMatch,
            _ => FriendPresence.Online,
        };
    }
}

/// <summary>Presence per player, and the session of each online one.</summary>
internal sealed record PresenceSnapshot(IReadOnlyDictionary<string, FriendPresence> Presence, IReadOnlyDictionary<string, SessionLocation> Sessions);
