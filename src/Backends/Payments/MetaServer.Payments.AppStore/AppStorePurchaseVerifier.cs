using System.Text.Json;
using MetaServer.Payments.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.AppStore;

/// <summary>
/// Verifies StoreKit 2 signed transactions locally (see <see cref="AppStoreJwsVerifier"/> for the signature and chain
/// checks), then the payload: <c>bundleId</c> and <c>environment</c> equal the configuration, <c>transactionId</c> (the
/// transaction key), <c>productId</c>, <c>quantity</c>, <c>purchaseDate</c>, <c>appAccountToken</c> (the account
/// binding) and no <c>revocationDate</c> (else REFUNDED). Nothing to complete at the App Store.
/// </summary>
public sealed partial class AppStorePurchaseVerifier : IPurchaseVerifier, IAppStoreNotificationVerifier
{
    private readonly AppStoreJwsVerifier _jws;
    private readonly AppStoreOptions _options;
    private readonly ILogger<AppStorePurchaseVerifier> _logger;

    public AppStorePurchaseVerifier(AppStoreJwsVerifier jws, IOptions<AppStoreOptions> options, ILogger<AppStorePurchaseVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _jws = jws;
        _options = options.Value;
        _logger = logger;
    }

    public PurchaseStore Store => PurchaseStore.AppStore;

    public ValueTask<PurchaseVerification> VerifyAsync(PurchaseProof proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);
        cancellationToken.ThrowIfCancellationRequested();
        var result = Verify(proof);
        if (result.Verdict != VerificationVerdict.Valid)
        {
            LogTransactionRejected(_logger, result.Verdict, result.Detail);
        }

        return ValueTask.FromResult(result);
    }

    public ValueTask CompleteAsync(VerifiedPurchase purchase, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<AppStoreNotification> VerifyAsync(string signedPayload, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = VerifyNotification(signedPayload);
        if (result.Verdict != VerificationVerdict.Valid)
        {
            LogNotificationRejected(_logger, result.Verdict, result.Detail);
        }

        return ValueTask.FromResult(result);
    }

    private PurchaseVerification Verify(PurchaseProof proof)
    {
        if (proof.Store != PurchaseStore.AppStore)
        {
            return PurchaseVerification.Rejected(VerificationVerdict.Malformed, $"not an App Store proof ({proof.Store})");
        }

        var transaction = ReadTransaction(proof.Receipt);
        if (transaction.Verdict != VerificationVerdict.Valid)
        {
            return PurchaseVerification.Rejected(transaction.Verdict, transaction.Detail);
        }

        if (transaction.RevokedAt is { } revokedAt)
        {
            return PurchaseVerification.Rejected(VerificationVerdict.Refunded, $"the transaction was revoked at {revokedAt:O}");
        }

        return PurchaseVerification.Accepted(transaction.Purchase!);
    }

    private AppStoreNotification VerifyNotification(string signedPayload)
    {
        var jws = _jws.Verify(signedPayload);
        if (!jws.IsValid)
        {
            return new AppStoreNotification(jws.Verdict, jws.Detail, null, null, null, null);
        }

        var payload = jws.Payload;
        var type = GetString(payload, "notificationType");
        var uuid = GetString(payload, "notificationUUID");
        var subtype = GetString(payload, "subtype");
        if (type is null || uuid is null)
        {
            return new AppStoreNotification(VerificationVerdict.Malformed, "the notification has no notificationType or notificationUUID", uuid, type, subtype, null);
        }

        AppStoreNotification Reject(VerificationVerdict verdict, string detail) => new(verdict, detail, uuid, type, subtype, null);

        var hasData = payload.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object;
        if (hasData)
        {
            var mismatch = CheckApp(GetString(data, "bundleId"), GetString(data, "environment"));
            if (mismatch is not null)
            {
                return Reject(mismatch.Value.Verdict, mismatch.Value.Detail);
            }
        }

        var kind = type switch
        {
            "REFUND" => StoreRefundKind.Refund,
            "REVOKE" => StoreRefundKind.Revoke,
            _ => (StoreRefundKind?)null,
        };
        if (kind is null)
        {
            return new AppStoreNotification(VerificationVerdict.Valid, "verified", uuid, type, subtype, null);
        }

        if (!hasData || GetString(data, "signedTransactionInfo") is not { } signedTransaction)
        {
            return Reject(VerificationVerdict.Malformed, $"the {type} notification has no data.signedTransactionInfo");
        }

        var transaction = ReadTransaction(signedTransaction);
        if (transaction.Verdict != VerificationVerdict.Valid)
        {
            return Reject(transaction.Verdict, "signedTransactionInfo: " + transaction.Detail);
        }

        var refund = new StoreRefund(PurchaseStore.AppStore, transaction.Purchase!.TransactionKey, kind.Value, transaction.RevokedAt ?? jws.SignedAt, uuid);
        return new AppStoreNotification(VerificationVerdict.Valid, "verified", uuid, type, subtype, refund);
    }

    private TransactionRead ReadTransaction(string? signedTransaction)
    {
        var jws = _jws.Verify(signedTransaction);
        if (!jws.IsValid)
        {
            return TransactionRead.Reject(jws.Verdict, jws.Detail);
        }

        var payload = jws.Payload;
        var bundleId = GetString(payload, "bundleId");
        var environment = GetString(payload, "environment");
        var transactionId = GetString(payload, "transactionId");
        var productId = GetString(payload, "productId");
        if (bundleId is null || environment is null || transactionId is null || productId is null)
        {
            return TransactionRead.Reject(VerificationVerdict.Malformed, "the transaction lacks bundleId, environment, transactionId or productId");
        }

        var mismatch = CheckApp(bundleId, environment);
        if (mismatch is not null)
        {
            return TransactionRead.Reject(mismatch.Value.Verdict, mismatch.Value.Detail);
        }

        if (!AppStoreJwsVerifier.TryGetMillis(payload, "purchaseDate", out var purchasedAt))
        {
            return TransactionRead.Reject(VerificationVerdict.Malformed, "the transaction has no purchaseDate");
        }

        var quantity = 1;
        if (payload.TryGetProperty("quantity", out var quantityElement) && quantityElement.ValueKind != JsonValueKind.Null)
        {
            if (quantityElement.ValueKind != JsonValueKind.Number || !quantityElement.TryGetInt32(out quantity) || quantity < 1)
            {
                return TransactionRead.Reject(VerificationVerdict.Malformed, "the transaction quantity is not a positive integer");
            }
        }

        DateTimeOffset? revokedAt = null;
        if (payload.TryGetProperty("revocationDate", out var revocation) && revocation.ValueKind != JsonValueKind.Null)
        {
            revokedAt = AppStoreJwsVerifier.TryGetMillis(payload, "revocationDate", out var at) ? at : jws.SignedAt;
        }

        var binding = GetString(payload, "appAccountToken");
        var purchase = new VerifiedPurchase(
            PurchaseStore.AppStore,
            transactionId,
            productId,
            quantity,
            purchasedAt,
            environment,
            string.IsNullOrEmpty(binding) ? null : binding,
            null);
        return new TransactionRead(VerificationVerdict.Valid, "verified", purchase, revokedAt);
    }

    private (VerificationVerdict Verdict, string Detail)? CheckApp(string? bundleId, string? environment)
    {
        if (!string.Equals(bundleId, _options.BundleId, StringComparison.Ordinal))
        {
            return (VerificationVerdict.WrongBundle, $"bundle id '{Clip(bundleId)}' is not '{_options.BundleId}'");
        }

        if (!string.Equals(environment, _options.Environment, StringComparison.Ordinal))
        {
            return (VerificationVerdict.WrongEnvironment, $"environment '{Clip(environment)}' is not '{_options.Environment}'");
        }

        return null;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String
            ? property.GetString()
            : null;

    private static string Clip(string? value) => value is null ? "(none)" : value.Length <= 100 ? value : value[..100] + "…";

    [LoggerMessage(Level = LogLevel.Information, Message = "App Store: signed transaction rejected as {Verdict}: {Detail}")]
    private static partial void LogTransactionRejected(ILogger logger, VerificationVerdict verdict, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App Store: server notification rejected as {Verdict}: {Detail}")]
    private static partial void LogNotificationRejected(ILogger logger, VerificationVerdict verdict, string detail);

    private sealed record TransactionRead(VerificationVerdict Verdict, string Detail, VerifiedPurchase? Purchase, DateTimeOffset? RevokedAt)
    {
        public static TransactionRead Reject(VerificationVerdict verdict, string detail) => new(verdict, detail, null, null);
    }
}
