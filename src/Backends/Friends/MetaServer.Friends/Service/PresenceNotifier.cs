using MetaServer.Pipelines;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Service;

/// <summary>
/// Turns session and activity notices into <see cref="FriendPresenceEvent"/>s for the player's online friends.
/// </summary>
internal sealed class PresenceNotifier(
    GraphStore graphs,
    ISessionRegistry sessions,
    FriendPresenceReader presence,
    FriendPushes pushes,
    IOptions<FriendsOptions> options)
{
    /// <summary>A session of the player became authenticated (online) or closed (offline unless a newer session lives).</summary>
    public async Task<IReadOnlyList<OutgoingMessage>> SessionAsync(PlayerSessionNotice notice, CancellationToken cancellationToken)
    {
        FriendPresence now;
        if (notice.Online)
        {
            var activities = await graphs.ActivitiesAsync([notice.AccountId], cancellationToken);
            now = presence.Effective(activities.GetValueOrDefault(notice.AccountId));
        }
        else
        {
            var current = await sessions.LookupAsync(notice.AccountId, cancellationToken);
            if (current is not null && !string.Equals(current.SessionId, notice.SessionId, StringComparison.Ordinal))
            {
                // The player reconnected: another session is live, nothing changed for the friends.
                return [];
            }

            now = FriendPresence.Offline;
        }

        return await TellFriendsAsync(notice.AccountId, now, notice.AtUnixMs, cancellationToken);
    }

    /// <summary>Stores the activity (unless a newer one is stored) and tells the friends when the player's presence changed.</summary>
    public async Task<IReadOnlyList<OutgoingMessage>> ActivityAsync(PlayerActivityNotice notice, CancellationToken cancellationToken)
    {
        var activity = new ActivityRecord { Activity = notice.Activity, AtUnixMs = notice.AtUnixMs };
        var (previous, stored) = await graphs.PutActivityAsync(notice.AccountId, activity, options.Value.MaxWriteAttempts, cancellationToken);
        if (!stored)
        {
            return [];
        }

        var before = presence.Effective(previous);
        var after = presence.Effective(activity);
        if (before == after && previous is not null)
        {
            return [];
        }

        if (await sessions.LookupAsync(notice.AccountId, cancellationToken) is null)
        {
            // Offline players show OFFLINE whatever they do.
            return [];
        }

        return await TellFriendsAsync(notice.AccountId, after, notice.AtUnixMs, cancellationToken);
    }

    private async Task<IReadOnlyList<OutgoingMessage>> TellFriendsAsync(string accountId, FriendPresence now, long atUnixMs, CancellationToken cancellationToken)
    {
        var graph = (await graphs.ReadAsync(accountId, cancellationToken)).Record;
        var friends = graph.Relations.Where(r => r.Value.Kind == RelationKind.Friend).Select(r => r.Key).ToList();
        if (friends.Count == 0)
        {
            return [];
        }

        var live = (await presence.ReadAsync(friends, cancellationToken)).Sessions;
        var presenceEvent = new Envelope { FriendPresence = new FriendPresenceEvent { AccountId = accountId, Presence = now, ChangedAtUnixMs = atUnixMs } };
        return pushes.To(friends.Where(live.ContainsKey).Select(f => (f, presenceEvent)), live);
    }
}
