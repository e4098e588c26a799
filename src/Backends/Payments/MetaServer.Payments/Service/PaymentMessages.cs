using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Payments.Verification;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using WirePurchaseStore = MetaServer.Protocol.V1.PurchaseStore;

namespace MetaServer.Payments.Service;

/// <summary>Verdicts, result codes, messages and the records the payments handlers share.</summary>
public static class PaymentMessages
{
    public static PurchaseVerdict ToVerdict(VerificationVerdict verdict) => verdict switch
    {
        VerificationVerdict.Malformed => PurchaseVerdict.Malformed,
        VerificationVerdict.InvalidSignature => PurchaseVerdict.InvalidSignature,
        VerificationVerdict.WrongBundle => PurchaseVerdict.WrongBundle,
        VerificationVerdict.WrongEnvironment => PurchaseVerdict.WrongEnvironment,
        VerificationVerdict.NotPurchased => PurchaseVerdict.NotPurchased,
        VerificationVerdict.Refunded => PurchaseVerdict.Refunded,
        VerificationVerdict.StoreUnavailable => PurchaseVerdict.StoreUnavailable,
        VerificationVerdict.Valid => PurchaseVerdict.ValidGranted,
        _ => PurchaseVerdict.Malformed,
    };

    /// <summary>The client result code of a verdict (GRANT_REFUSED carries the accounts service's own code instead).</summary>
    public static ResultCode CodeOf(PurchaseVerdict verdict) => verdict switch
    {
        PurchaseVerdict.ValidGranted or PurchaseVerdict.AlreadyRedeemed => ResultCode.Ok,
        PurchaseVerdict.RedeemedByAnotherAccount => ResultCode.PurchaseRedeemedByAnotherAccount,
        PurchaseVerdict.Refunded => ResultCode.PurchaseRefunded,
        PurchaseVerdict.UnknownProduct => ResultCode.UnknownProduct,
        PurchaseVerdict.AccountMismatch => ResultCode.PurchaseAccountMismatch,
        PurchaseVerdict.StoreUnavailable => ResultCode.Unavailable,
        PurchaseVerdict.GrantRefused => ResultCode.FailedPrecondition,
        _ => ResultCode.PurchaseRejected,
    };

    /// <summary>The plain-language message of a rejection.</summary>
    public static string MessageOf(PurchaseVerdict verdict) => verdict switch
    {
        PurchaseVerdict.Malformed => "The purchase receipt could not be read.",
        PurchaseVerdict.InvalidSignature => "The purchase receipt is not genuine.",
        PurchaseVerdict.WrongBundle => "The purchase was made in another app.",
        PurchaseVerdict.WrongEnvironment => "The purchase was made in another store environment (sandbox or production).",
        PurchaseVerdict.NotPurchased => "The store does not confirm this purchase (pending, cancelled or unknown).",
        PurchaseVerdict.Refunded => "This purchase was refunded; nothing was granted.",
        PurchaseVerdict.UnknownProduct => "This product is not sold in this game.",
        PurchaseVerdict.AccountMismatch => "This purchase was made for another account.",
        PurchaseVerdict.RedeemedByAnotherAccount => "This purchase was already redeemed by another account.",
        PurchaseVerdict.StoreUnavailable => "The store can't be reached right now; try again later.",
        _ => string.Empty,
    };

    /// <summary>The client reply of a redemption: the verdict's result code and message, and the response payload.</summary>
    public static IReadOnlyList<OutgoingMessage> Reply(
        IncomingMessage request, PurchaseVerdict verdict, RedeemPurchaseResponse response, TimeProvider timeProvider, ResultCode? code = null, string? message = null)
    {
        response.Verdict = verdict;
        var resultCode = code ?? CodeOf(verdict);
        var envelope = new Envelope
        {
            Result = new Result { Code = resultCode, Message = resultCode == ResultCode.Ok ? string.Empty : message ?? MessageOf(verdict) },
            Redemption = response,
        };
        return ClientReplies.To(request, envelope, timeProvider);
    }

    public static PurchaseAttempt Attempt(
        string attemptId, string accountId, WirePurchaseStore store, string? transactionKey, PurchaseVerdict verdict, string detail, long atUnixMs) => new()
        {
            AttemptId = attemptId,
            AccountId = accountId,
            Store = store,
            TransactionKey = transactionKey ?? string.Empty,
            Verdict = verdict,
            Detail = detail.Length > 500 ? detail[..500] : detail,
            AtUnixMs = atUnixMs,
        };

    public static VerifiedPurchaseRecord ToRecord(VerifiedPurchase purchase) => new()
    {
        ProductId = purchase.ProductId,
        Quantity = purchase.Quantity,
        PurchasedAtUnixMs = purchase.PurchasedAt.ToUnixTimeMilliseconds(),
        Environment = purchase.Environment,
        AccountBinding = purchase.AccountBinding ?? string.Empty,
        OrderId = purchase.OrderId ?? string.Empty,
    };

    public static VerifiedPurchase FromRecord(Verification.PurchaseStore store, string transactionKey, VerifiedPurchaseRecord record) => new(
        store,
        transactionKey,
        record.ProductId,
        record.Quantity,
        DateTimeOffset.FromUnixTimeMilliseconds(record.PurchasedAtUnixMs),
        record.Environment,
        record.AccountBinding.Length == 0 ? null : record.AccountBinding,
        record.OrderId.Length == 0 ? null : record.OrderId);

    /// <summary>An internal message to <paramref name="messageType"/>'s queue, keeping the trace and player of <paramref name="cause"/>.</summary>
    public static OutgoingMessage Command(
        QueueNames queueNames, string messageType, IMessage payload, MessageEnvelope cause, string? playerId, string? replyToMessageType, TimeProvider timeProvider) =>
        new(queueNames.ForMessageType(messageType), new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = cause.CorrelationId,
            ReplyTo = replyToMessageType is null ? null : queueNames.ForMessageType(replyToMessageType),
            PlayerId = playerId,
            SessionId = cause.SessionId,
            DeploymentVersion = cause.DeploymentVersion,
            TraceId = cause.TraceId,
            SentAt = timeProvider.GetUtcNow(),
            Payload = payload.ToByteArray(),
        });

    public static bool IsFinalRefund(PurchaseLedgerState state) =>
        state is PurchaseLedgerState.RefundPending or PurchaseLedgerState.Refunded or PurchaseLedgerState.Revoked;
}
