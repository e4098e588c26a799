namespace MetaServer.Protocol;

/// <summary>Message types of the payments service and its accounts commands.</summary>
public static partial class MessageTypes
{
    /// <summary>Routed client request: redeem a real-money purchase (payload: <c>RedeemPurchaseRequest</c>).</summary>
    public const string PaymentsRedeemPurchase = "payments.redeem-purchase";

    /// <summary>Internal: the accounts service's answer to a grant (payload: <c>GrantPurchaseResult</c>).</summary>
    public const string PaymentsPurchaseGranted = "payments.purchase-granted";

    /// <summary>Internal: finish a granted purchase at its store, retried until it succeeds (payload: <c>CompletePurchaseCommand</c>).</summary>
    public const string PaymentsCompletePurchase = "payments.complete-purchase";

    /// <summary>Internal: a refund or revocation reported by a store (payload: <c>StoreRefundNotice</c>).</summary>
    public const string PaymentsStoreRefund = "payments.store-refund";

    /// <summary>Internal: the accounts service's answer to a clawback (payload: <c>RevokePurchaseResult</c>).</summary>
    public const string PaymentsPurchaseRevoked = "payments.purchase-revoked";

    /// <summary>Internal (sent by payments): grant a verified purchase once per transaction key (payload: <c>GrantPurchaseCommand</c>).</summary>
    public const string AccountsGrantPurchase = "accounts.grant-purchase";

    /// <summary>Internal (sent by payments): claw back a refunded purchase once per transaction key (payload: <c>RevokePurchaseCommand</c>).</summary>
    public const string AccountsRevokePurchase = "accounts.revoke-purchase";
}
