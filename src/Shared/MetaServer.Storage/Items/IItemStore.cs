namespace MetaServer.Storage;

/// <summary>
/// A service's own store of versioned items under string keys, written with single-item conditional writes (no
/// transactions, so DynamoDB without TransactWriteItems works). Values are opaque bytes (protobuf records; each service
/// owns its key layout). The matches and payments services each have one (<c>IMatchStore</c>, <c>IPaymentStore</c>):
/// a separate table or file per service, one implementation per backend, and one contract suite every implementation
/// passes (<c>ItemStoreContract</c> in MetaServer.Storage.Tests).
/// <para>
/// Versions: an absent item has version 0; each successful write stores version <c>expected + 1</c>. An item whose
/// <see cref="StoredItem.ExpiresAt"/> has passed (per the store's <see cref="TimeProvider"/>) reads as absent and may be
/// written with expected version 0.
/// </para>
/// </summary>
public interface IItemStore
{
    /// <summary>Most keys one <see cref="GetManyAsync"/> reads (the DynamoDB BatchGetItem limit).</summary>
    public const int MaxBatchKeys = 100;

    /// <summary>Longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 512;

    /// <summary>Largest value (stays well below DynamoDB's 400 KB item limit).</summary>
    public const int MaxValueBytes = 350 * 1024;

    /// <summary>The item, or null when absent or expired.</summary>
    ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The present items among <paramref name="keys"/> (at most <see cref="MaxBatchKeys"/>, no duplicates), in no particular order.</summary>
    ValueTask<IReadOnlyList<StoredItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the item when its stored version equals <paramref name="expectedVersion"/> (0: absent or expired).
    /// Returns the new version, or null when the stored version differs (a conflict: re-read and retry).
    /// </summary>
    ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes the item when its stored version equals <paramref name="expectedVersion"/>; false on a conflict or when absent.</summary>
    ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default);
}

/// <summary>One stored item.</summary>
public sealed record StoredItem(string Key, ReadOnlyMemory<byte> Value, long Version, DateTimeOffset? ExpiresAt);

/// <summary>Argument checks shared by every <see cref="IItemStore"/> implementation.</summary>
public static class ItemStoreArguments
{
    public static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (System.Text.Encoding.UTF8.GetByteCount(key) > IItemStore.MaxKeyBytes)
        {
            throw new ArgumentException($"Store keys are at most {IItemStore.MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }
    }

    public static void ValidateWrite(string key, ReadOnlyMemory<byte> value, long expectedVersion)
    {
        ValidateKey(key);
        if (value.Length > IItemStore.MaxValueBytes)
        {
            throw new ArgumentException($"Store values are at most {IItemStore.MaxValueBytes} bytes.", nameof(value));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
    }

    public static void ValidateKeys(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > IItemStore.MaxBatchKeys)
        {
            throw new ArgumentException($"At most {IItemStore.MaxBatchKeys} keys per read.", nameof(keys));
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
