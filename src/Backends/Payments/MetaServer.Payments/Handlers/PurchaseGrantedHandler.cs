using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Payments.Service;
using MetaServer.Payments.Verification;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Payments.Handlers;

/// <summary>
/// <c>payments.purchase-granted</c>: the accounts service's answer to <c>accounts.grant-purchase</c>.
/// <list type="bullet">
/// <item>OK on a CLAIMED entry: the entry moves to GRANTED (what accounts granted, completion pending), then the purchase
/// is finished at the store (<see cref="IPurchaseVerifier.CompleteAsync"/>, Google Play acknowledge); when the store is
/// unavailable a <c>payments.complete-purchase</c> command retries it. The client gets VALID_GRANTED with the
/// snapshot (ALREADY_REDEEMED when another attempt granted it).</item>
/// <item>OK on a refunded entry (the refund overtook the grant; the clawback takes it back): REFUNDED.</item>
/// <item>PURCHASE_REFUNDED: REFUNDED. Any other refusal (e.g. the wallet would pass its max): GRANT_REFUSED with the
/// accounts service's code and message; the entry stays CLAIMED for this account, who may redeem again.</item>
/// </list>
/// Idempotent: a redelivery finds the entry GRANTED and answers the same.
/// </summary>
public sealed partial class PurchaseGrantedHandler(
    PurchaseVerifiers verifiers,
    PurchaseLedger ledger,
    QueueNames queueNames,
    TimeProvider timeProvider,
    ILogger<PurchaseGrantedHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.PaymentsPurchaseGranted;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        GrantPurchaseResult result;
        try
        {
            result = GrantPurchaseResult.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogDropped(message.Envelope.MessageId, "undecodable payload");
            return [];
        }

        if (StoreNames.FromWire(result.Store) is not { } store || result.TransactionKey.Length == 0)
        {
            LogDropped(message.Envelope.MessageId, "no store or transaction key");
            return [];
        }

        var code = result.Result?.Code ?? ResultCode.Internal;
        PurchaseVerdict verdict = PurchaseVerdict.Unspecified;
        var update = await ledger.UpdateAsync(
            store,
            result.TransactionKey,
            current =>
            {
                if (current is null)
                {
                    return null;
                }

                if (code != ResultCode.Ok)
                {
                    verdict = code == ResultCode.PurchaseRefunded ? PurchaseVerdict.Refunded : PurchaseVerdict.GrantRefused;
                    var detail = code == ResultCode.PurchaseRefunded ? "revoked before the grant" : $"grant refused: {result.Result?.Message}";
                    return ledger.AppendAttempt(current, PaymentMessages.Attempt(result.AttemptId, result.AccountId, result.Store, result.TransactionKey, verdict, detail, ledger.NowMs()))
                        ? current
                        : null;
                }

                switch (current.State)
                {
                    case PurchaseLedgerState.Claimed when current.AccountId == result.AccountId:
                        verdict = PurchaseVerdict.ValidGranted;
                        current.State = PurchaseLedgerState.Granted;
                        current.Granted = result.Granted ?? new Grant();
                        current.GrantedAtUnixMs = ledger.NowMs();
                        current.CompletionPending = true;
                        current.GrantedAttemptId = result.AttemptId;
                        return current;
                    case PurchaseLedgerState.Granted:
                        verdict = current.GrantedAttemptId == result.AttemptId ? PurchaseVerdict.ValidGranted : PurchaseVerdict.AlreadyRedeemed;
                        return null;
                    default:
                        verdict = PaymentMessages.IsFinalRefund(current.State) ? PurchaseVerdict.Refunded : PurchaseVerdict.RedeemedByAnotherAccount;
                        return null;
                }
            },
            cancellationToken);
        if (update.Entry is not { } entry)
        {
            LogDropped(message.Envelope.MessageId, "no ledger entry for the granted purchase");
            return [];
        }

        if (update.Written && verdict == PurchaseVerdict.ValidGranted)
        {
            LogGranted(StoreNames.Display(store), entry.OfferId, entry.AccountId);
        }

        var outgoing = new List<OutgoingMessage>();
        if (entry is { State: PurchaseLedgerState.Granted, CompletionPending: true } && !await TryCompleteAsync(store, entry, cancellationToken))
        {
            outgoing.Add(PaymentMessages.Command(
                queueNames,
                MessageTypes.PaymentsCompletePurchase,
                new CompletePurchaseCommand { Store = entry.Store, TransactionKey = entry.TransactionKey },
                message.Envelope,
                entry.AccountId,
                replyToMessageType: null,
                timeProvider));
        }

        if (result.ClientReplyTo.Length > 0)
        {
            var response = new RedeemPurchaseResponse { OfferId = entry.OfferId, TransactionId = entry.TransactionId, Account = result.Account };
            if (PaymentMessages.CodeOf(verdict) == ResultCode.Ok)
            {
                response.Granted = entry.Granted ?? result.Granted ?? new Grant();
            }

            var clientRequest = message with { Envelope = message.Envelope with { ReplyTo = result.ClientReplyTo } };
            outgoing.AddRange(verdict == PurchaseVerdict.GrantRefused
                ? PaymentMessages.Reply(clientRequest, verdict, response, timeProvider, code, result.Result?.Message)
                : PaymentMessages.Reply(clientRequest, verdict, response, timeProvider));
        }

        return outgoing;
    }

    /// <summary>Finishes the purchase at its store and clears the pending mark; false when the store could not be reached.</summary>
    private async ValueTask<bool> TryCompleteAsync(Verification.PurchaseStore store, PurchaseLedgerEntry entry, CancellationToken cancellationToken)
    {
        if (verifiers.Find(store) is not { } verifier)
        {
            return false;
        }

        try
        {
            await verifier.CompleteAsync(PaymentMessages.FromRecord(store, entry.TransactionKey, entry.Purchase ?? new VerifiedPurchaseRecord()), cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            LogCompletionDeferred(StoreNames.Display(store), ex.Message);
            return false;
        }

        await CompletionMarks.ClearAsync(ledger, store, entry.TransactionKey, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: purchase-granted {MessageId} dropped: {Reason}")]
    private partial void LogDropped(string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: {Store} purchase of offer {OfferId} granted to account {AccountId}")]
    private partial void LogGranted(string store, string offerId, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: could not finish a {Store} purchase now ({Reason}); retrying via payments.complete-purchase")]
    private partial void LogCompletionDeferred(string store, string reason);
}

/// <summary>The ledger's completion-pending mark.</summary>
internal static class CompletionMarks
{
    public static async ValueTask ClearAsync(PurchaseLedger ledger, Verification.PurchaseStore store, string transactionKey, CancellationToken cancellationToken) =>
        await ledger.UpdateAsync(
            store,
            transactionKey,
            current =>
            {
                if (current is not { CompletionPending: true })
                {
                    return null;
                }

                current.CompletionPending = false;
                return current;
            },
            cancellationToken);
}

/// <summary>
/// <c>payments.complete-purchase</c>: finishes a granted purchase at its store (Google Play acknowledge) while the
/// ledger still marks it completion-pending. When the store is unavailable (or its verifier is not configured) the
/// handler throws, so the message comes back after its visibility timeout, and goes to the dead-letter queue after
/// the queue's max receive count (an operator alarm: Google refunds unacknowledged purchases after three days).
/// </summary>
public sealed partial class CompletePurchaseHandler(
    PurchaseVerifiers verifiers,
    PurchaseLedger ledger,
    ILogger<CompletePurchaseHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.PaymentsCompletePurchase;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        CompletePurchaseCommand command;
        try
        {
            command = CompletePurchaseCommand.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return [];
        }

        if (StoreNames.FromWire(command.Store) is not { } store || command.TransactionKey.Length == 0)
        {
            return [];
        }

        var entry = await ledger.GetAsync(store, command.TransactionKey, cancellationToken);
        if (entry is not { State: PurchaseLedgerState.Granted, CompletionPending: true })
        {
            return [];
        }

        var verifier = verifiers.Find(store)
            ?? throw new StoreUnavailableException($"{StoreNames.Display(store)} is not configured; the purchase can't be finished at the store.");
        await verifier.CompleteAsync(PaymentMessages.FromRecord(store, entry.TransactionKey, entry.Purchase ?? new VerifiedPurchaseRecord()), cancellationToken);
        await CompletionMarks.ClearAsync(ledger, store, entry.TransactionKey, cancellationToken);
        LogCompleted(StoreNames.Display(store), message.ReceiveCount);
        return [];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: finished a {Store} purchase at the store (delivery {ReceiveCount})")]
    private partial void LogCompleted(string store, int receiveCount);
}
