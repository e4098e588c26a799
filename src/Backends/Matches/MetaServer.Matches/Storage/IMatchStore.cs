namespace MetaServer.Matches.Storage;

/// <summary>
/// The matches service's store: versioned items under string keys, written with single-item conditional writes
/// (no transactions, so DynamoDB without TransactWriteItems works). Values are opaque bytes (protobuf records, see
/// <see cref="MatchStoreKeys"/>). Every implementation passes the one contract suite (MatchStoreContract in the tests).
/// <para>
/// Versions: an absent item has version 0; each successful write stores version <c>expected + 1</c>. An item whose
/// <see cref="MatchStoreItem.ExpiresAt"/> has passed (per the store's <see cref="TimeProvider"/>) reads as absent and
/// may be written with expected version 0.
/// </para>
/// </summary>
public interface IMatchStore
{
    /// <summary>Most keys one <see cref="GetManyAsync"/> reads (the DynamoDB BatchGetItem limit).</summary>
    public const int MaxBatchKeys = 100;

    /// <summary>Longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 512;

    /// <summary>Largest value (stays well below DynamoDB's 400 KB item limit).</summary>
    public const int MaxValueBytes = 350 * 1024;

    /// <summary>The item, or null when absent or expired.</summary>
    ValueTask<MatchStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The present items among <paramref name="keys"/> (at most <see cref="MaxBatchKeys"/>, no duplicates), in no particular order.</summary>
    ValueTask<IReadOnlyList<MatchStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the item when its stored version equals <paramref name="expectedVersion"/> (0: absent or expired).
    /// Returns the new version, or null when the stored version differs (a conflict: re-read and retry).
    /// </summary>
    ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes the item when its stored version equals <paramref name="expectedVersion"/>; false on a conflict or when absent.</summary>
    ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default);
}

/// <summary>One stored item.</summary>
public sealed record MatchStoreItem(string Key, ReadOnlyMemory<byte> Value, long Version, DateTimeOffset? ExpiresAt);

/// <summary>Argument checks shared by every <see cref="IMatchStore"/> implementation.</summary>
public static class MatchStoreArguments
{
    public static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (System.Text.Encoding.UTF8.GetByteCount(key) > IMatchStore.MaxKeyBytes)
        {
            throw new ArgumentException($"Match store keys are at most {IMatchStore.MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }
    }

    public static void ValidateWrite(string key, ReadOnlyMemory<byte> value, long expectedVersion)
    {
        ValidateKey(key);
        if (value.Length > IMatchStore.MaxValueBytes)
        {
            throw new ArgumentException($"Match store values are at most {IMatchStore.MaxValueBytes} bytes.", nameof(value));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
    }

    public static void ValidateKeys(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > IMatchStore.MaxBatchKeys)
        {
            throw new ArgumentException($"At most {IMatchStore.MaxBatchKeys} keys per read.", nameof(keys));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            ValidateKey(key);
            if (!seen.Add(key))
            {
                throw new ArgumentException($"Key '{key}' appears twice.", nameof(keys));
            }
        }
    }
}

/// <summary>The key layout of the matches store, in one place.</summary>
public static class MatchStoreKeys
{
    /// <summary>A player's rating (<c>RatingRecord</c>).</summary>
    public static string Rating(string accountId) => "rating#" + accountId;

    /// <summary>A match (<c>MatchRecord</c>).</summary>
    public static string Match(string matchId) => "match#" + matchId;

    /// <summary>A player's matchmaking state: the current ticket or match (owned by the player flow).</summary>
    public static string Player(string accountId) => "player#" + accountId;

    /// <summary>A matchmaking ticket (owned by the player flow).</summary>
    public static string Ticket(string ticketId) => "ticket#" + ticketId;

    /// <summary>
    /// Shard <paramref name="shard"/> of the open-match index bucket starting at <paramref name="bucketStartUnixMs"/>:
    /// ids and deadlines of matches handed to the game servers that may still need abandoning (owned by the abandon sweeper).
    /// </summary>
    public static string OpenMatches(long bucketStartUnixMs, int shard) =>
        "open-matches#" + bucketStartUnixMs.ToString(System.Globalization.CultureInfo.InvariantCulture) + "#" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Start of the oldest open-match bucket not yet closed by the abandon sweeper.</summary>
    public const string OpenMatchesCursor = "open-matches-cursor";
}
