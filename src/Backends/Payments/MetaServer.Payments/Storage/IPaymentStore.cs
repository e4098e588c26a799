namespace MetaServer.Payments.Storage;

/// <summary>
/// The payments service's store (the purchase ledger, attempt logs, checkpoints): versioned items under string keys, written with single-item conditional writes
/// (no transactions, so DynamoDB without TransactWriteItems works). Values are opaque bytes (protobuf records, see
/// <see cref="PaymentStoreKeys"/>). Every implementation passes the one contract suite (PaymentStoreContract in the tests).
/// <para>
/// Versions: an absent item has version 0; each successful write stores version <c>expected + 1</c>. An item whose
/// <see cref="PaymentStoreItem.ExpiresAt"/> has passed (per the store's <see cref="TimeProvider"/>) reads as absent and
/// may be written with expected version 0.
/// </para>
/// </summary>
public interface IPaymentStore
{
    /// <summary>Most keys one <see cref="GetManyAsync"/> reads (the DynamoDB BatchGetItem limit).</summary>
    public const int MaxBatchKeys = 100;

    /// <summary>Longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 512;

    /// <summary>Largest value (stays well below DynamoDB's 400 KB item limit).</summary>
    public const int MaxValueBytes = 350 * 1024;

    /// <summary>The item, or null when absent or expired.</summary>
    ValueTask<PaymentStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The present items among <paramref name="keys"/> (at most <see cref="MaxBatchKeys"/>, no duplicates), in no particular order.</summary>
    ValueTask<IReadOnlyList<PaymentStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the item when its stored version equals <paramref name="expectedVersion"/> (0: absent or expired).
    /// Returns the new version, or null when the stored version differs (a conflict: re-read and retry).
    /// </summary>
    ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes the item when its stored version equals <paramref name="expectedVersion"/>; false on a conflict or when absent.</summary>
    ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default);
}

/// <summary>One stored item.</summary>
public sealed record PaymentStoreItem(string Key, ReadOnlyMemory<byte> Value, long Version, DateTimeOffset? ExpiresAt);

/// <summary>Argument checks shared by every <see cref="IPaymentStore"/> implementation.</summary>
public static class PaymentStoreArguments
{
    public static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (System.Text.Encoding.UTF8.GetByteCount(key) > IPaymentStore.MaxKeyBytes)
        {
            throw new ArgumentException($"Payment store keys are at most {IPaymentStore.MaxKeyBytes} UTF-8 bytes.", nameof(key));
        }
    }

    public static void ValidateWrite(string key, ReadOnlyMemory<byte> value, long expectedVersion)
    {
        ValidateKey(key);
        if (value.Length > IPaymentStore.MaxValueBytes)
        {
            throw new ArgumentException($"Payment store values are at most {IPaymentStore.MaxValueBytes} bytes.", nameof(value));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
    }

    public static void ValidateKeys(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count > IPaymentStore.MaxBatchKeys)
        {
            throw new ArgumentException($"At most {IPaymentStore.MaxBatchKeys} keys per read.", nameof(keys));
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

/// <summary>The key layout of the payments store, in one place.</summary>
public static class PaymentStoreKeys
{
    /// <summary>Longest transaction key used in a store key as it is; longer ones (Google Play purchase tokens) are hashed.</summary>
    public const int MaxPlainTransactionKeyLength = 128;

    /// <summary>
    /// The ledger entry of one purchase (<c>PurchaseLedgerEntry</c>): <c>purchase#apple#&lt;transaction id&gt;</c> or
    /// <c>purchase#google#sha256:&lt;hex of the purchase token&gt;</c> (long or unusual keys are always hashed).
    /// </summary>
    public static string Purchase(string store, string transactionKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentException.ThrowIfNullOrEmpty(transactionKey);
        var plain = transactionKey.Length <= MaxPlainTransactionKeyLength && transactionKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
        return "purchase#" + store + "#" + (plain
            ? transactionKey
            : "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(transactionKey))));
    }

    /// <summary>One account's redemption attempts (<c>PurchaseAttemptLog</c>).</summary>
    public static string Attempts(string accountId) => "attempts#" + accountId;

    /// <summary>The Google Play voided-purchases poller's checkpoint (<c>VoidedPurchasesCheckpoint</c>).</summary>
    public const string GoogleVoidedCheckpoint = "checkpoint#google-voided";
}
