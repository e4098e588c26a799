namespace MetaServer.Payments.Verification;

/// <summary>The store a real-money purchase was made in.</summary>
public enum PurchaseStore
{
    /// <summary>Apple App Store (StoreKit 2 signed transactions).</summary>
    AppStore = 1,

    /// <summary>Google Play (purchase tokens checked with the Android Publisher API).</summary>
    GooglePlay = 2,
}

/// <summary>
/// What a client hands in as proof of a purchase: for the App Store the StoreKit 2 signed transaction (a JWS), for
/// Google Play the purchase token together with the product id it was bought as.
/// </summary>
public sealed record PurchaseProof(PurchaseStore Store, string Receipt, string? ProductId);

/// <summary>
/// A purchase whose proof checked out at its store.
/// <see cref="TransactionKey"/> is the store's unique id of this purchase, the key that grants exactly once: the
/// App Store <c>transactionId</c>, the Google Play purchase token.
/// <see cref="AccountBinding"/> is the account the store says the purchase was made for (App Store
/// <c>appAccountToken</c>, Google Play <c>obfuscatedExternalAccountId</c>), or null when the client set none.
/// </summary>
public sealed record VerifiedPurchase(
    PurchaseStore Store,
    string TransactionKey,
    string ProductId,
    int Quantity,
    DateTimeOffset PurchasedAt,
    string Environment,
    string? AccountBinding,
    string? OrderId);

/// <summary>Why a proof did not check out (or <see cref="Valid"/>).</summary>
public enum VerificationVerdict
{
    /// <summary>The proof is genuine and the purchase is paid for; see <see cref="PurchaseVerification.Purchase"/>.</summary>
    Valid = 0,

    /// <summary>The proof can't be read at all (not a JWS, bad JSON, missing fields, empty token).</summary>
    Malformed = 1,

    /// <summary>Signature wrong, certificate chain forged/broken/not ending at the configured root, wrong OIDs, or outside its validity.</summary>
    InvalidSignature = 2,

    /// <summary>The App Store bundle id or the Google Play package name is not ours.</summary>
    WrongBundle = 3,

    /// <summary>Sandbox proof where production is configured, or the other way round.</summary>
    WrongEnvironment = 4,

    /// <summary>The store does not know the purchase (Google 404/410), or it is not in the purchased state (pending, cancelled).</summary>
    NotPurchased = 5,

    /// <summary>The purchase was already refunded or revoked at the store.</summary>
    Refunded = 6,

    /// <summary>The store could not be asked (network, 5xx, throttling): retry later; never recorded as a final verdict.</summary>
    StoreUnavailable = 7,
}

/// <summary>The outcome of verifying one proof: a verdict, the purchase when valid, and a message for the ledger and logs (never a secret).</summary>
public sealed record PurchaseVerification(VerificationVerdict Verdict, VerifiedPurchase? Purchase, string Detail)
{
    public static PurchaseVerification Rejected(VerificationVerdict verdict, string detail) => new(verdict, null, detail);

    public static PurchaseVerification Accepted(VerifiedPurchase purchase, string detail = "verified") => new(VerificationVerdict.Valid, purchase, detail);
}

/// <summary>Verifies proofs of one store. Implementations: App Store (local JWS + x5c chain check), Google Play (Android Publisher API).</summary>
public interface IPurchaseVerifier
{
    /// <summary>The store this verifier handles.</summary>
    PurchaseStore Store { get; }

    /// <summary>Checks the proof at the store; never throws for a bad proof (that is a verdict), only for cancellation.</summary>
    ValueTask<PurchaseVerification> VerifyAsync(PurchaseProof proof, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the store the purchase was delivered, after it was granted (Google Play: acknowledge, else Google refunds it
    /// after three days; App Store: nothing to do). Idempotent; throws <see cref="StoreUnavailableException"/> when the
    /// store can't be reached, so the caller retries.
    /// </summary>
    ValueTask CompleteAsync(VerifiedPurchase purchase, CancellationToken cancellationToken);
}

/// <summary>A refund or revocation reported by a store (App Store REFUND/REVOKE notification, Google Play voided purchase).</summary>
public sealed record StoreRefund(PurchaseStore Store, string TransactionKey, StoreRefundKind Kind, DateTimeOffset At, string SourceId);

/// <summary>What kind of clawback a store reported.</summary>
public enum StoreRefundKind
{
    /// <summary>Money returned to the buyer (App Store REFUND, Google Play voided purchase with refund).</summary>
    Refund = 1,

    /// <summary>Access withdrawn without a refund of this buyer (App Store REVOKE, e.g. Family Sharing; Google Play chargeback/revocation).</summary>
    Revoke = 2,
}

/// <summary>Outcome of reading one signed App Store Server Notification v2.</summary>
public sealed record AppStoreNotification(
    VerificationVerdict Verdict,
    string Detail,
    string? NotificationUuid,
    string? NotificationType,
    string? Subtype,
    StoreRefund? Refund);

/// <summary>Verifies App Store Server Notifications v2 (<c>signedPayload</c>, signed like transactions).</summary>
public interface IAppStoreNotificationVerifier
{
    /// <summary>
    /// Verifies the notification and its embedded signed transaction. <see cref="AppStoreNotification.Refund"/> is set for
    /// REFUND and REVOKE (null for every other type, which callers acknowledge and ignore).
    /// </summary>
    ValueTask<AppStoreNotification> VerifyAsync(string signedPayload, CancellationToken cancellationToken);
}

/// <summary>One page of Google Play voided purchases.</summary>
public sealed record VoidedPurchasesPage(IReadOnlyList<StoreRefund> Refunds, string? NextPageToken);

/// <summary>The Google Play Voided Purchases API (purchases.voidedpurchases.list).</summary>
public interface IVoidedPurchasesSource
{
    /// <summary>Voided purchases since <paramref name="startTime"/>; follow <see cref="VoidedPurchasesPage.NextPageToken"/>. Throws <see cref="StoreUnavailableException"/> when unreachable.</summary>
    ValueTask<VoidedPurchasesPage> ListAsync(DateTimeOffset startTime, string? pageToken, CancellationToken cancellationToken);
}

/// <summary>The store could not be reached or answered with a retryable error.</summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
