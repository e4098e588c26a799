using Google.Protobuf;
using MetaServer.Payments.Storage;
using MetaServer.Payments.Verification;
using MetaServer.Protocol.Internal.V1;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Service;

/// <summary>The outcome of <see cref="PurchaseLedger.UpdateAsync"/>: the entry as stored now (null when absent) and whether this call wrote it.</summary>
public sealed record LedgerUpdate(PurchaseLedgerEntry? Entry, bool Written);

/// <summary>Thrown when a ledger item kept conflicting; the message is redelivered and tried again.</summary>
public sealed class PaymentLedgerConflictException(string message) : Exception(message);

/// <summary>
/// The purchase ledger on the <see cref="IPaymentStore"/>: one <see cref="PurchaseLedgerEntry"/> per transaction key
/// (<see cref="PaymentStoreKeys.Purchase"/>) and one <see cref="PurchaseAttemptLog"/> per account. Every change is a
/// read-modify-conditional-write of one item, retried on conflict (no transactions).
/// </summary>
public sealed class PurchaseLedger(IPaymentStore store, IOptions<PaymentsOptions> options, TimeProvider timeProvider)
{
    private readonly PaymentsOptions _options = options.Value;

    public async ValueTask<PurchaseLedgerEntry?> GetAsync(PurchaseStore purchaseStore, string transactionKey, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(PaymentStoreKeys.Purchase(StoreNames.Key(purchaseStore), transactionKey), cancellationToken);
        return item is null ? null : PurchaseLedgerEntry.Parser.ParseFrom(item.Value.Span);
    }

    /// <summary>
    /// Reads the entry, lets <paramref name="change"/> decide (given a copy of the current entry or null: the new entry
    /// to store, or null to store nothing) and writes it conditionally on the version read, retrying on conflict.
    /// </summary>
    public async ValueTask<LedgerUpdate> UpdateAsync(
        PurchaseStore purchaseStore, string transactionKey, Func<PurchaseLedgerEntry?, PurchaseLedgerEntry?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var key = PaymentStoreKeys.Purchase(StoreNames.Key(purchaseStore), transactionKey);
        for (var attempt = 1; attempt <= _options.MaxUpdateAttempts; attempt++)
        {
            var item = await store.GetAsync(key, cancellationToken);
            var current = item is null ? null : PurchaseLedgerEntry.Parser.ParseFrom(item.Value.Span);
            var next = change(current?.Clone());
            if (next is null)
            {
                return new LedgerUpdate(current, Written: false);
            }

            if (await store.TryWriteAsync(key, next.ToByteArray(), item?.Version ?? 0, expiresAt: null, cancellationToken) is not null)
            {
                return new LedgerUpdate(next, Written: true);
            }
        }

        throw new PaymentLedgerConflictException($"The ledger entry of a {StoreNames.Display(purchaseStore)} purchase kept changing during {_options.MaxUpdateAttempts} attempts.");
    }

    /// <summary>
    /// Appends <paramref name="attempt"/> to the entry's attempts (bounded), unless an attempt with its id and verdict is
    /// already there (a redelivery); true when it was appended.
    /// </summary>
    public bool AppendAttempt(PurchaseLedgerEntry entry, PurchaseAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(attempt);
        if (entry.Attempts.Any(a => a.AttemptId == attempt.AttemptId && a.Verdict == attempt.Verdict))
        {
            return false;
        }

        entry.Attempts.Add(attempt);
        while (entry.Attempts.Count > _options.MaxAttemptsPerPurchase)
        {
            entry.Attempts.RemoveAt(0);
        }

        return true;
    }

    /// <summary>Records <paramref name="attempt"/> in its account's attempt log (bounded; a redelivered attempt is recorded once).</summary>
    public async ValueTask RecordAccountAttemptAsync(PurchaseAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (attempt.AccountId.Length == 0)
        {
            return;
        }

        var key = PaymentStoreKeys.Attempts(attempt.AccountId);
        for (var i = 1; i <= _options.MaxUpdateAttempts; i++)
        {
            var item = await store.GetAsync(key, cancellationToken);
            var log = item is null ? new PurchaseAttemptLog() : PurchaseAttemptLog.Parser.ParseFrom(item.Value.Span);
            if (log.Attempts.Any(a => a.AttemptId == attempt.AttemptId && a.Verdict == attempt.Verdict))
            {
                return;
            }

            log.Attempts.Add(attempt);
            while (log.Attempts.Count > _options.MaxAttemptsPerAccount)
            {
                log.Attempts.RemoveAt(0);
            }

            if (await store.TryWriteAsync(key, log.ToByteArray(), item?.Version ?? 0, expiresAt: null, cancellationToken) is not null)
            {
                return;
            }
        }

        throw new PaymentLedgerConflictException("An account's purchase attempt log kept changing.");
    }

    /// <summary>The account's recorded attempts, oldest first.</summary>
    public async ValueTask<IReadOnlyList<PurchaseAttempt>> GetAccountAttemptsAsync(string accountId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(PaymentStoreKeys.Attempts(accountId), cancellationToken);
        return item is null ? [] : [.. PurchaseAttemptLog.Parser.ParseFrom(item.Value.Span).Attempts];
    }

    public long NowMs() => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
