using MetaServer.Storage;

namespace MetaServer.Payments.Storage;

/// <summary>
/// The payments service's own <see cref="IItemStore"/> (its table or file), keyed by <see cref="PaymentStoreKeys"/>. The
/// implementations are the shared item stores: in memory, SQLite (embedded default) and DynamoDB, which pass one contract suite.
/// </summary>
public interface IPaymentStore : IItemStore;

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
