using Google.Protobuf;
using MetaServer.GameConfig;
using MetaServer.Messaging;
using MetaServer.Payments.Service;
using MetaServer.Payments.Verification;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StorePurchase = MetaServer.Payments.Verification.PurchaseStore;

namespace MetaServer.Payments.Handlers;

/// <summary>
/// <c>payments.redeem-purchase</c> (routed client request <c>RedeemPurchaseRequest</c>). For one purchase proof:
/// <list type="number">
/// <item>Checks the request (store, receipt length, Google product id): MALFORMED. A store without a verifier answers
/// UNAVAILABLE ("not configured"), never a fake success.</item>
/// <item>Google Play: the purchase token is the transaction key, so the ledger is read first (a replay needs no store call).</item>
/// <item>Verifies with the store's <see cref="IPurchaseVerifier"/>; a rejection answers its verdict, STORE_UNAVAILABLE
/// answers UNAVAILABLE (not final: the client retries).</item>
/// <item>Reads the ledger by the verified transaction key: refunded → REFUNDED; claimed by another account →
/// REDEEMED_BY_ANOTHER_ACCOUNT; claimed or granted by this account → the grant command is sent again (idempotent in
/// accounts) and the flow continues where it stopped (VALID_GRANTED for an unfinished grant, ALREADY_REDEEMED once granted).</item>
/// <item>Maps the product id to an enabled real-money offer (UNKNOWN_PRODUCT) and checks the account binding
/// (ACCOUNT_MISMATCH, see <see cref="AccountBindings"/>).</item>
/// <item>Claims the transaction key for the account with one conditional write (state CLAIMED; whoever wins the write owns
/// it) and sends <c>accounts.grant-purchase</c>; the answer arrives at <see cref="PurchaseGrantedHandler"/>, which
/// replies to the client.</item>
/// </list>
/// Every attempt is recorded with its verdict in the account's attempt log, and in the ledger entry when it has one.
/// </summary>
public sealed partial class RedeemPurchaseHandler(
    PurchaseVerifiers verifiers,
    PurchaseLedger ledger,
    GameConfig.GameConfig config,
    QueueNames queueNames,
    IOptions<PaymentsOptions> options,
    TimeProvider timeProvider,
    ILogger<RedeemPurchaseHandler> logger) : IMessageHandler
{
    public const int MaxAccountIdLength = 128;
    public const int MaxProductIdLength = 200;

    private readonly PaymentsOptions _options = options.Value;

    public string MessageType => MessageTypes.PaymentsRedeemPurchase;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        RedeemPurchaseRequest request;
        try
        {
            request = RedeemPurchaseRequest.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, "The request could not be decoded.", timeProvider);
        }

        var accountId = message.Envelope.PlayerId ?? string.Empty;
        if (accountId.Length is 0 or > MaxAccountIdLength)
        {
            return ClientReplies.Error(message, ResultCode.NotAuthenticated, "The request needs a logged-in account.", timeProvider);
        }

        var attemptId = message.Envelope.MessageId;
        var context = new Attempt(message, accountId, attemptId, request.Store);
        if (StoreNames.FromWire(request.Store) is not { } store)
        {
            return await RejectAsync(context, null, PurchaseVerdict.Malformed, "no store named", "Name the store: the App Store or Google Play.", cancellationToken);
        }

        if (request.Receipt.Length == 0 || request.Receipt.Length > _options.MaxReceiptLength)
        {
            return await RejectAsync(context, null, PurchaseVerdict.Malformed, "receipt empty or too long", null, cancellationToken);
        }

        if (store == StorePurchase.GooglePlay && (request.ProductId.Length is 0 or > MaxProductIdLength))
        {
            return await RejectAsync(context, null, PurchaseVerdict.Malformed, "no product id", "A Google Play purchase needs its product id.", cancellationToken);
        }

        if (verifiers.Find(store) is not { } verifier)
        {
            LogStoreNotConfigured(StoreNames.Display(store));
            var notConfigured = $"{StoreNames.Display(store)} is not configured on this server.";
            await ledger.RecordAccountAttemptAsync(
                PaymentMessages.Attempt(attemptId, accountId, request.Store, null, PurchaseVerdict.StoreUnavailable, "store not configured", ledger.NowMs()), cancellationToken);
            return PaymentMessages.Reply(message, PurchaseVerdict.StoreUnavailable, new RedeemPurchaseResponse(), timeProvider, ResultCode.Unavailable, notConfigured);
        }

        // Google Play: the token is the key. A purchase the ledger already decided is answered without asking Google.
        if (store == StorePurchase.GooglePlay && await ledger.GetAsync(store, request.Receipt, cancellationToken) is { } known
            && known.State != PurchaseLedgerState.Unspecified)
        {
            return await ContinueFromLedgerAsync(context, store, request.Receipt, cancellationToken);
        }

        var verification = await verifier.VerifyAsync(new PurchaseProof(store, request.Receipt, request.ProductId.Length == 0 ? null : request.ProductId), cancellationToken);
        if (verification.Verdict == VerificationVerdict.StoreUnavailable)
        {
            LogStoreUnavailable(StoreNames.Display(store), verification.Detail);
            await ledger.RecordAccountAttemptAsync(
                PaymentMessages.Attempt(attemptId, accountId, request.Store, null, PurchaseVerdict.StoreUnavailable, verification.Detail, ledger.NowMs()), cancellationToken);
            return PaymentMessages.Reply(
                message, PurchaseVerdict.StoreUnavailable, new RedeemPurchaseResponse(), timeProvider, ResultCode.Unavailable,
                $"{StoreNames.Display(store)} can't be reached right now; try again later.");
        }

        if (verification.Verdict != VerificationVerdict.Valid || verification.Purchase is not { } purchase)
        {
            var verdict = verification.Verdict == VerificationVerdict.Valid ? PurchaseVerdict.Malformed : PaymentMessages.ToVerdict(verification.Verdict);
            var knownKey = store == StorePurchase.GooglePlay ? request.Receipt : null;
            return await RejectAsync(context, knownKey, verdict, verification.Detail, null, cancellationToken);
        }

        if (string.IsNullOrEmpty(purchase.TransactionKey) || purchase.Store != store)
        {
            return await RejectAsync(context, null, PurchaseVerdict.Malformed, "verifier returned no transaction key", null, cancellationToken);
        }

        var key = purchase.TransactionKey;
        var existing = await ledger.GetAsync(store, key, cancellationToken);
        if (existing is not null && existing.State != PurchaseLedgerState.Unspecified)
        {
            return await ContinueFromLedgerAsync(context, store, key, cancellationToken);
        }

        var offer = store == StorePurchase.AppStore ? config.FindAppStoreProduct(purchase.ProductId) : config.FindGooglePlayProduct(purchase.ProductId);
        if (offer is not { Enabled: true })
        {
            return await RejectAsync(context, key, PurchaseVerdict.UnknownProduct, $"product '{Clip(purchase.ProductId)}' maps to no enabled real-money offer", null, cancellationToken);
        }

        if (purchase.Quantity < 1 || purchase.Quantity > _options.MaxQuantity)
        {
            return await RejectAsync(context, key, PurchaseVerdict.Malformed, $"quantity {purchase.Quantity} outside 1..{_options.MaxQuantity}", null, cancellationToken);
        }

        if (purchase.AccountBinding is { Length: > 0 } binding && !AccountBindings.Matches(binding, accountId))
        {
            return await RejectAsync(context, key, PurchaseVerdict.AccountMismatch, "the store's account binding names another account", null, cancellationToken);
        }

        // Claim: the first conditional write on this key wins. A lost race re-reads and continues from the ledger.
        var claim = await ledger.UpdateAsync(
            store,
            key,
            current =>
            {
                if (current is not null && current.State != PurchaseLedgerState.Unspecified)
                {
                    return null;
                }

                var entry = current ?? new PurchaseLedgerEntry();
                entry.Store = request.Store;
                entry.TransactionKey = key;
                entry.State = PurchaseLedgerState.Claimed;
                entry.AccountId = accountId;
                entry.OfferId = offer.Id;
                entry.Purchase = PaymentMessages.ToRecord(purchase);
                entry.OfferGrant = OfferGrant(offer, purchase.Quantity);
                entry.ClaimedAtUnixMs = ledger.NowMs();
                entry.TransactionId = purchase.OrderId ?? (store == StorePurchase.AppStore ? key : string.Empty);
                ledger.AppendAttempt(entry, PaymentMessages.Attempt(attemptId, accountId, request.Store, key, PurchaseVerdict.ValidGranted, "claimed", ledger.NowMs()));
                return entry;
            },
            cancellationToken);
        if (!claim.Written)
        {
            return await ContinueFromLedgerAsync(context, store, key, cancellationToken);
        }

        LogClaimed(StoreNames.Display(store), offer.Id, accountId);
        await ledger.RecordAccountAttemptAsync(
            PaymentMessages.Attempt(attemptId, accountId, request.Store, key, PurchaseVerdict.ValidGranted, "claimed", ledger.NowMs()), cancellationToken);
        return [GrantCommand(context, claim.Entry!)];
    }

    /// <summary>The transaction key has a ledger entry: answer or continue from its state.</summary>
    private async ValueTask<IReadOnlyList<OutgoingMessage>> ContinueFromLedgerAsync(Attempt context, StorePurchase store, string key, CancellationToken cancellationToken)
    {
        PurchaseVerdict? verdict = null;
        var update = await ledger.UpdateAsync(
            store,
            key,
            current =>
            {
                if (current is null)
                {
                    verdict = null;
                    return null;
                }

                verdict = current switch
                {
                    _ when PaymentMessages.IsFinalRefund(current.State) => PurchaseVerdict.Refunded,
                    _ when current.AccountId != context.AccountId => PurchaseVerdict.RedeemedByAnotherAccount,
                    { State: PurchaseLedgerState.Granted } => PurchaseVerdict.AlreadyRedeemed,
                    _ => PurchaseVerdict.ValidGranted,
                };
                return ledger.AppendAttempt(current, PaymentMessages.Attempt(context.AttemptId, context.AccountId, context.Store, key, verdict.Value, "from ledger", ledger.NowMs()))
                    ? current
                    : null;
            },
            cancellationToken);
        var entry = update.Entry;
        if (entry is null || verdict is null)
        {
            throw new InvalidOperationException("The ledger entry disappeared.");
        }

        await ledger.RecordAccountAttemptAsync(
            PaymentMessages.Attempt(context.AttemptId, context.AccountId, context.Store, key, verdict.Value, "from ledger", ledger.NowMs()), cancellationToken);
        switch (verdict.Value)
        {
            case PurchaseVerdict.Refunded:
            case PurchaseVerdict.RedeemedByAnotherAccount:
                LogRefusedFromLedger(StoreNames.Display(store), verdict.Value, context.AccountId);
                return PaymentMessages.Reply(
                    context.Message, verdict.Value, new RedeemPurchaseResponse { OfferId = entry.OfferId }, timeProvider);
            default:
                // Claimed or granted by this account: (re)send the grant; accounts answers the recorded grant when it was applied.
                return [GrantCommand(context, entry)];
        }
    }

    private async ValueTask<IReadOnlyList<OutgoingMessage>> RejectAsync(
        Attempt context, string? transactionKey, PurchaseVerdict verdict, string detail, string? message, CancellationToken cancellationToken)
    {
        LogRejected(verdict, context.AccountId, detail);
        var attempt = PaymentMessages.Attempt(context.AttemptId, context.AccountId, context.Store, transactionKey, verdict, detail, ledger.NowMs());
        if (transactionKey is not null && StoreNames.FromWire(context.Store) is { } store)
        {
            // Only onto an existing entry: a rejected proof never creates one (it could name anyone's key).
            await ledger.UpdateAsync(
                store,
                transactionKey,
                current =>
                {
                    if (current is null)
                    {
                        return null;
                    }

                    return ledger.AppendAttempt(current, attempt) ? current : null;
                },
                cancellationToken);
        }

        await ledger.RecordAccountAttemptAsync(attempt, cancellationToken);
        return PaymentMessages.Reply(context.Message, verdict, new RedeemPurchaseResponse(), timeProvider, message: message);
    }

    private OutgoingMessage GrantCommand(Attempt context, PurchaseLedgerEntry entry) =>
        PaymentMessages.Command(
            queueNames,
            MessageTypes.AccountsGrantPurchase,
            new GrantPurchaseCommand
            {
                AccountId = entry.AccountId,
                Store = entry.Store,
                TransactionKey = entry.TransactionKey,
                OfferId = entry.OfferId,
                Grant = entry.OfferGrant ?? new Grant(),
                ClientReplyTo = context.Message.Envelope.ReplyTo ?? string.Empty,
                AttemptId = context.AttemptId,
            },
            context.Message.Envelope,
            entry.AccountId,
            MessageTypes.PaymentsPurchaseGranted,
            timeProvider);

    /// <summary>What one purchase of <paramref name="offer"/> grants, times <paramref name="quantity"/>.</summary>
    internal static Grant OfferGrant(RealMoneyOffer offer, int quantity)
    {
        var grant = new Grant { Xp = offer.Grants.Xp * quantity };
        foreach (var currency in offer.Grants.Currencies)
        {
            grant.Currencies[currency.CurrencyId] = grant.Currencies.GetValueOrDefault(currency.CurrencyId) + (currency.Amount * quantity);
        }

        foreach (var item in offer.Grants.Items)
        {
            grant.Items[item.ItemId] = grant.Items.GetValueOrDefault(item.ItemId) + (item.Quantity * quantity);
        }

        return grant;
    }

    private static string Clip(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private sealed record Attempt(IncomingMessage Message, string AccountId, string AttemptId, Protocol.V1.PurchaseStore Store);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: redeem refused, {Store} is not configured")]
    private partial void LogStoreNotConfigured(string store);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: {Store} unavailable: {Detail}")]
    private partial void LogStoreUnavailable(string store, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: redemption by account {AccountId} rejected as {Verdict}: {Detail}")]
    private partial void LogRejected(PurchaseVerdict verdict, string accountId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: {Store} purchase of offer {OfferId} claimed for account {AccountId}")]
    private partial void LogClaimed(string store, string offerId, string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: {Store} redemption by account {AccountId} answered {Verdict} from the ledger")]
    private partial void LogRefusedFromLedger(string store, PurchaseVerdict verdict, string accountId);
}
