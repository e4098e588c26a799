using MetaServer.Friends.Storage;

namespace MetaServer.Friends.Service;

/// <summary>A graph record as read, with the version its conditional write must name.</summary>
internal sealed record VersionedGraph(string AccountId, GraphRecord Record, long Version);

/// <summary>Typed access to the records of the <see cref="IFriendStore"/>.</summary>
internal sealed class GraphStore(IFriendStore store)
{
    public IFriendStore Store => store;

    public async Task<VersionedGraph> ReadAsync(string accountId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(FriendStoreKeys.Graph(accountId), cancellationToken);
        return item is null ? new VersionedGraph(accountId, new GraphRecord(), 0) : new VersionedGraph(accountId, RecordCodec.Decode<GraphRecord>(item.Value), item.Version);
    }

    /// <summary>Writes <paramref name="record"/> over <paramref name="read"/>; false on a conflict.</summary>
    public async Task<bool> TryWriteAsync(VersionedGraph read, GraphRecord record, CancellationToken cancellationToken) =>
        await store.TryWriteAsync(FriendStoreKeys.Graph(read.AccountId), RecordCodec.Encode(record), read.Version, cancellationToken) is not null;

    /// <summary>The latest activity of each of <paramref name="accountIds"/> that has one (batches of the store's limit).</summary>
    public async Task<IReadOnlyDictionary<string, ActivityRecord>> ActivitiesAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ActivityRecord>(StringComparer.Ordinal);
        foreach (var chunk in accountIds.Distinct(StringComparer.Ordinal).Chunk(IFriendStore.MaxBatchKeys))
        {
            var items = await store.GetManyAsync([.. chunk.Select(FriendStoreKeys.Activity)], cancellationToken);
            foreach (var item in items)
            {
                found[item.Key["activity#".Length..]] = RecordCodec.Decode<ActivityRecord>(item.Value);
            }
        }

        return found;
    }

    /// <summary>
    /// Stores <paramref name="activity"/> unless a newer one (later <see cref="ActivityRecord.AtUnixMs"/>) or the same one is stored.
    /// Returns the activity before and whether it was replaced.
    /// </summary>
    public async Task<(ActivityRecord? Previous, bool Stored)> PutActivityAsync(string accountId, ActivityRecord activity, int maxAttempts, CancellationToken cancellationToken)
    {
        var key = FriendStoreKeys.Activity(accountId);
        for (var attempt = 0; attempt < maxAttempts; attempt++)
        {
            var item = await store.GetAsync(key, cancellationToken);
            var previous = item is null ? null : RecordCodec.Decode<ActivityRecord>(item.Value);
            // Older notices never replace newer ones; at the same millisecond the later delivery wins (the matches
            // service sends a player's notices in the order it made the changes), and a repeat changes nothing.
            if (previous is not null && (previous.AtUnixMs > activity.AtUnixMs || previous == activity))
            {
                return (previous, false);
            }

            if (await store.TryWriteAsync(key, RecordCodec.Encode(activity), item?.Version ?? 0, cancellationToken) is not null)
            {
                return (previous, true);
            }
        }

        throw new FriendStoreConflictException($"The activity of {accountId} kept changing; giving up for now.");
    }
}

/// <summary>A change kept conflicting with concurrent writes; the message is left for a retry.</summary>
public sealed class FriendStoreConflictException(string message) : Exception(message);
