namespace MetaServer.Friends.Storage;

/// <summary>
/// The friends service's store: versioned items under string keys, written with single-item conditional writes only
/// (no transactions, so DynamoDB without TransactWriteItems works). Values are opaque bytes (see
/// <see cref="FriendStoreKeys"/>). Every implementation passes the one contract suite (FriendStoreContract in the tests).
/// An absent item has version 0; each successful write stores version <c>expected + 1</c>. Items never expire.
/// </summary>
public interface IFriendStore
{
    /// <summary>Most keys one <see cref="GetManyAsync"/> reads (the DynamoDB BatchGetItem limit).</summary>
    public const int MaxBatchKeys = 100;

    /// <summary>Longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 512;

    /// <summary>Largest value (stays well below DynamoDB's 400 KB item limit).</summary>
    public const int MaxValueBytes = 350 * 1024;

    /// <summary>The item, or null when absent.</summary>
    ValueTask<FriendStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The present items among <paramref name="keys"/> (at most <see cref="MaxBatchKeys"/>, no duplicates), in no particular order.</summary>
    ValueTask<IReadOnlyList<FriendStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the item when its stored version equals <paramref name="expectedVersion"/> (0: absent). Returns the new
    /// version, or null when the stored version differs (a conflict: re-read and retry).
    /// </summary>
    ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Deletes the item when its stored version equals <paramref name="expectedVersion"/>; false on a conflict or when absent.</summary>
    ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default);
}

/// <summary>One stored item.</summary>
public sealed record FriendStoreItem(string Key, ReadOnlyMemory<byte> Value, long Version);

/// <summary>Argument checks shared by every <see cref="IFriendStore"/> implementation.</summary>
public static class FriendStoreArguments
{
    public static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (System.Text.Encoding.UTF8.GetByteCount(key) > IFriendStore.MaxKeyBytes)
        {
            throw new ArgumentException($"Friend store keys are at most {IFriendStore.MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }
    }

    public static void ValidateWrite(string key, ReadOnlyMemory<byte> value, long expectedVersion)
    {
        ValidateKey(key);
        if (value.Length > IFriendStore.MaxValueBytes)
        {
            throw new ArgumentException($"Friend store values are at most {IFriendStore.MaxValueBytes} bytes.", nameof(value));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
    }

    public static void ValidateKeys(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > IFriendStore.MaxBatchKeys)
        {
            throw new ArgumentException($"At most {IFriendStore.MaxBatchKeys} keys per read.", nameof(keys));
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

/// <summary>The key layout of the friends store, in one place.</summary>
public static class FriendStoreKeys
{
    /// <summary>A player's side of every relation (friends, pending both ways, blocked) and their friend code.</summary>
    public static string Graph(string accountId) => "graph#" + accountId;

    /// <summary>A friend code's owner (written once, with a conditional put, when the code is allocated).</summary>
    public static string Code(string friendCode) => "code#" + friendCode;

    /// <summary>A player's latest activity as the matches service reported it.</summary>
    public static string Activity(string accountId) => "activity#" + accountId;
}
