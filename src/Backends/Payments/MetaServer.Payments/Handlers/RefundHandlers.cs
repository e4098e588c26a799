using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Payments.Service;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Handlers;

/// <summary>
/// <c>payments.store-refund</c>: applies one store refund/revocation, once per transaction key.
/// <list type="bullet">
/// <item>No ledger entry (refund before any redemption): recorded as REFUNDED/REVOKED with no account, so a later
/// redemption is refused as REFUNDED.</item>
/// <item>CLAIMED or GRANTED: the entry moves to REFUND_PENDING (with the refund) and <c>accounts.revoke-purchase</c>
/// is sent under the configured clawback policy; the entry becomes REFUNDED/REVOKED only when
/// <see cref="PurchaseRevokedHandler"/> gets the accounts service's confirmation.</item>
/// <item>REFUND_PENDING: the revoke command is sent again (idempotent in accounts). REFUNDED/REVOKED: nothing (a
/// double notification).</item>
/// </list>
/// </summary>
public sealed partial class StoreRefundHandler(
    PurchaseLedger ledger,
    QueueNames queueNames,
    IOptions<PaymentsOptions> options,
    TimeProvider timeProvider,
    ILogger<StoreRefundHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.PaymentsStoreRefund;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        StoreRefundNotice notice;
        try
        {
            notice = StoreRefundNotice.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogDropped(message.Envelope.MessageId, "undecodable payload");
            return [];
        }

        if (StoreNames.FromWire(notice.Store) is not { } store || notice.TransactionKey.Length == 0)
        {
            LogDropped(message.Envelope.MessageId, "no store or transaction key");
            return [];
        }

        var finalState = notice.Kind == Protocol.Internal.V1.StoreRefundKind.Revoke ? PurchaseLedgerState.Revoked : PurchaseLedgerState.Refunded;
        var verdict = PurchaseVerdict.Refunded;
        var update = await ledger.UpdateAsync(
            store,
            notice.TransactionKey,
            current =>
            {
                if (current is null || current.State == PurchaseLedgerState.Unspecified)
                {
                    var recorded = current ?? new PurchaseLedgerEntry();
                    recorded.Store = notice.Store;
                    recorded.TransactionKey = notice.TransactionKey;
                    recorded.State = finalState;
                    recorded.Refund = Refund(notice);
                    ledger.AppendAttempt(recorded, PaymentMessages.Attempt(message.Envelope.MessageId, string.Empty, notice.Store, notice.TransactionKey, verdict, "refund before any redemption", ledger.NowMs()));
                    return recorded;
                }

                if (current.State is PurchaseLedgerState.Claimed or PurchaseLedgerState.Granted)
                {
                    current.State = PurchaseLedgerState.RefundPending;
                    current.Refund = Refund(notice);
                    ledger.AppendAttempt(current, PaymentMessages.Attempt(message.Envelope.MessageId, current.AccountId, notice.Store, notice.TransactionKey, verdict, "store refund received", ledger.NowMs()));
                    return current;
                }

                return null;
            },
            cancellationToken);
        var entry = update.Entry!;
        switch (entry.State)
        {
            case PurchaseLedgerState.RefundPending:
                if (update.Written)
                {
                    LogRefundStarted(StoreNames.Display(store), entry.AccountId);
                }

                return [RevokeCommand(message, entry)];
            default:
                if (update.Written)
                {
                    LogRefundRecorded(StoreNames.Display(store));
                }
                else
                {
                    LogDuplicate(StoreNames.Display(store), notice.SourceId);
                }

                return [];
        }
    }

    private RefundRecord Refund(StoreRefundNotice notice) => new()
    {
        Kind = notice.Kind,
        RefundedAtUnixMs = notice.RefundedAtUnixMs,
        SourceId = notice.SourceId,
        ReceivedAtUnixMs = ledger.NowMs(),
    };

    private OutgoingMessage RevokeCommand(IncomingMessage message, PurchaseLedgerEntry entry) =>
        PaymentMessages.Command(
            queueNames,
            MessageTypes.AccountsRevokePurchase,
            new RevokePurchaseCommand
            {
                AccountId = entry.AccountId,
                Store = entry.Store,
                TransactionKey = entry.TransactionKey,
                Kind = entry.Refund?.Kind ?? Protocol.Internal.V1.StoreRefundKind.Refund,
                Policy = options.Value.Clawback.Policy == ClawbackPolicyOption.AllowNegativeBalance
                    ? ClawbackPolicy.AllowNegativeBalance
                    : ClawbackPolicy.FlagAccount,
            },
            message.Envelope,
            entry.AccountId,
            MessageTypes.PaymentsPurchaseRevoked,
            timeProvider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: store refund {MessageId} dropped: {Reason}")]
    private partial void LogDropped(string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: {Store} refund of a purchase of account {AccountId}: clawback sent")]
    private partial void LogRefundStarted(string store, string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: {Store} refund of a purchase never redeemed recorded")]
    private partial void LogRefundRecorded(string store);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: {Store} refund {SourceId} already applied; ignored")]
    private partial void LogDuplicate(string store, string sourceId);
}

/// <summary>
/// <c>payments.purchase-revoked</c>: the accounts service confirmed a clawback; the ledger entry moves from
/// REFUND_PENDING to REFUNDED or REVOKED with what was taken back and the shortfall. A refusal other than NOT_FOUND
/// leaves the entry pending (logged as an error; the next notification of the refund sends the command again); an
/// account that no longer exists has nothing to take back and completes the refund.
/// </summary>
public sealed partial class PurchaseRevokedHandler(PurchaseLedger ledger, ILogger<PurchaseRevokedHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.PaymentsPurchaseRevoked;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        RevokePurchaseResult result;
        try
        {
            result = RevokePurchaseResult.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }

        if (StoreNames.FromWire(result.Store) is not { } store || result.TransactionKey.Length == 0)
        {
            return [];
        }

        var code = result.Result?.Code ?? ResultCode.Internal;
        if (code is not (ResultCode.Ok or ResultCode.NotFound))
        {
            LogRefused(StoreNames.Display(store), result.AccountId, code, result.Result?.Message ?? string.Empty);
            return [];
        }

        var update = await ledger.UpdateAsync(
            store,
            result.TransactionKey,
            current =>
            {
                if (current is not { State: PurchaseLedgerState.RefundPending })
                {
                    return null;
                }

                current.State = current.Refund?.Kind == Protocol.Internal.V1.StoreRefundKind.Revoke ? PurchaseLedgerState.Revoked : PurchaseLedgerState.Refunded;
                current.Refund ??= new RefundRecord();
                current.Refund.Revoked = result.Revoked ?? new Grant();
                current.Refund.Shortfall.Clear();
                current.Refund.Shortfall.Add(result.Shortfall);
                current.CompletionPending = false;
                return current;
            },
            cancellationToken);
        if (update.Written)
        {
            LogClawedBack(StoreNames.Display(store), result.AccountId, result.Shortfall.Count);
        }

        return [];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Payments: clawback of a {Store} purchase of account {AccountId} refused with {Code}: {Reason}; the refund stays pending")]
    private partial void LogRefused(string store, string accountId, ResultCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: {Store} purchase of account {AccountId} clawed back ({ShortfallCount} shortfall entries)")]
    private partial void LogClawedBack(string store, string accountId, int shortfallCount);
}
