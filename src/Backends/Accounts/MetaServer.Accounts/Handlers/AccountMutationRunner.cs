using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>Identifies one mutation for idempotency: the account, the request key and what the request was.</summary>
/// <param name="AccountId">The account to change.</param>
/// <param name="RequestKey">The client request id, or <c>match:&lt;id&gt;</c>; unique per intended change of this account.</param>
/// <param name="MessageType">The request's message type.</param>
/// <param name="Fingerprint">Hash of the request's content, or empty to compare only key and type.</param>
/// <param name="AppliesToBannedAccount">
/// False (the default, every player request): an account with an active ban is refused with ACCOUNT_BANNED. True only
/// for facts that happened whatever the ban, such as a played match's result.
/// </param>
public sealed record MutationRequest(string AccountId, string RequestKey, string MessageType, string Fingerprint, bool AppliesToBannedAccount = false);

/// <summary>
/// Effects of a mutation outside its account document (identity claims), around the runner's write. Neither runs for
/// a replayed request (its key is already recorded) or a refused one.
/// </summary>
public sealed record MutationSideEffects
{
    /// <summary>
    /// Runs after the rule applied and before the conditional write, on every attempt (it may remember that it already
    /// ran); a refusal ends the run with nothing written. Whatever it did stays if the write then fails.
    /// </summary>
    public Func<Account, CancellationToken, Task<MutationOutcome.Refused?>>? BeforeWrite { get; init; }

    /// <summary>Runs once the mutation is stored, with the stored account. An exception propagates (the record is stored: a retry is a replay).</summary>
    public Func<Account, CancellationToken, Task>? AfterWrite { get; init; }

    public static MutationSideEffects None { get; } = new();
}

/// <summary>What <see cref="AccountMutationRunner.RunAsync(MutationRequest, Func{Account, DateTimeOffset, MutationOutcome}, CancellationToken)"/> did.</summary>
public abstract record MutationRun
{
    private MutationRun()
    {
    }

    /// <summary>
    /// The mutation is stored: <see cref="Account"/> is the stored account, <see cref="Granted"/> what the mutation granted.
    /// <see cref="Replayed"/>: it was stored by an earlier delivery of the same request and nothing was applied now
    /// (<see cref="Account"/> is then the current account).
    /// </summary>
    public sealed record Applied(Account Account, Granted Granted, bool Replayed) : MutationRun;

    /// <summary>Nothing changed; the client-visible code and message say why.</summary>
    public sealed record Refused(ResultCode Code, string Message, string? AccountId) : MutationRun;
}

/// <summary>
/// The one way accounts are mutated: load → lazy migration → idempotency lookup → pure rule → conditional write on
/// the loaded revision, retried on conflict. The mutation and its idempotency record
/// (<see cref="Account.RecentMutations"/>) are one single-item conditional write, so a redelivered or retried
/// request is applied at most once, on any store, without transactions; and two concurrent requests on one account
/// can never both apply to the same revision (no overdraft, no lost update).
/// <para>
/// A request whose key is already recorded applies nothing and answers <see cref="MutationRun.Applied"/> with
/// <c>Replayed = true</c>, the recorded grant and the current account; the same key recorded for another message
/// type or payload is refused with INVALID_ARGUMENT. Refusals are not recorded (they changed nothing).
/// </para>
/// <para>
/// An account with an active ban is refused with ACCOUNT_BANNED (unless
/// <see cref="MutationRequest.AppliesToBannedAccount"/>), checked after the record lookup: the replay of a request
/// applied before the ban still answers its recorded result (it changes nothing either way).
/// </para>
/// After <see cref="AccountsOptions.MaxUpdateAttempts"/> conflicting attempts it throws
/// <see cref="AccountUpdateConflictException"/> so the message is redelivered.
/// </summary>
public sealed partial class AccountMutationRunner(
    IAccountStore store,
    AccountMigrator migrator,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<AccountMutationRunner> logger,
    IAccountSummaryCache? summaryCache = null)
{
    /// <param name="request">Which account, and the request's idempotency identity.</param>
    /// <param name="apply">The pure rule: (migrated account, now) → changed account or refusal. May run once per attempt.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public Task<MutationRun> RunAsync(MutationRequest request, Func<Account, DateTimeOffset, MutationOutcome> apply, CancellationToken cancellationToken) =>
        RunAsync(request, apply, MutationSideEffects.None, cancellationToken);

    /// <param name="request">Which account, and the request's idempotency identity.</param>
    /// <param name="apply">The pure rule: (migrated account, now) → changed account or refusal. May run once per attempt.</param>
    /// <param name="sideEffects">What happens outside the account document before and after the write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public async Task<MutationRun> RunAsync(
        MutationRequest request, Func<Account, DateTimeOffset, MutationOutcome> apply, MutationSideEffects sideEffects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(sideEffects);
        var maxAttempts = options.Value.MaxUpdateAttempts;
        var recordLimit = options.Value.MutationRecordLimit;
        var now = timeProvider.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.GetAsync(request.AccountId, cancellationToken);
            if (account is null)
            {
                return new MutationRun.Refused(ResultCode.NotFound, "No account has this id.", null);
            }

            if (!AccountRequests.TryMigrate(migrator, account, logger, out var migrated, out var migrationRefused))
            {
                return new MutationRun.Refused(migrationRefused.Code, migrationRefused.Message, account.AccountId);
            }

            if (FindRecord(migrated, request.RequestKey) is { } record)
            {
                if (!string.Equals(record.MessageType, request.MessageType, StringComparison.Ordinal)
                    || (request.Fingerprint.Length > 0 && !string.Equals(record.Fingerprint, request.Fingerprint, StringComparison.Ordinal)))
                {
                    LogKeyReused(account.AccountId, request.MessageType, record.MessageType);
                    return new MutationRun.Refused(
                        ResultCode.InvalidArgument, "This client request id was already used for a different request.", account.AccountId);
                }

                LogReplayed(account.AccountId, request.MessageType, record.RevisionAfter);
                return new MutationRun.Applied(migrated, record.Granted, Replayed: true);
            }

            // Checked on every attempt: a ban stored while this request was queued or in flight makes its write conflict,
            // and the reload refuses it, so a just-banned player's pending requests never change the account.
            if (!request.AppliesToBannedAccount && migrated.ActiveBan(now) is { } ban)
            {
                LogBannedRefused(account.AccountId, request.MessageType);
                return new MutationRun.Refused(ResultCode.AccountBanned, AccountIdentityExtensions.BannedMessage(ban), account.AccountId);
            }

            var outcome = apply(migrated, now);
            if (outcome is MutationOutcome.Refused refused)
            {
                return new MutationRun.Refused(refused.Code, refused.Message, account.AccountId);
            }

            var applied = (MutationOutcome.Applied)outcome;
            if (applied.Account.AccountId != account.AccountId)
            {
                throw new InvalidOperationException("An account rule changed the account id.");
            }

            if (sideEffects.BeforeWrite is { } beforeWrite && await beforeWrite(applied.Account, cancellationToken) is { } sideEffectRefused)
            {
                return new MutationRun.Refused(sideEffectRefused.Code, sideEffectRefused.Message, account.AccountId);
            }

            var newRecord = new MutationRecord(request.RequestKey, request.MessageType, request.Fingerprint, applied.Granted, account.Revision + 1, now);
            var mutations = applied.Account.RecentMutations.IsDefault ? [] : applied.Account.RecentMutations;
            mutations = mutations.Add(newRecord);
            if (mutations.Length > recordLimit)
            {
                mutations = mutations.RemoveRange(0, mutations.Length - recordLimit);
            }

            var update = await store.TryUpdateAsync(applied.Account with { RecentMutations = mutations }, account.Revision, cancellationToken);
            if (update is { Succeeded: true, Account: { } stored })
            {
                if (sideEffects.AfterWrite is { } afterWrite)
                {
                    await afterWrite(stored, cancellationToken);
                }

                await AccountSummaries.WriteThroughAsync(summaryCache, stored, logger, cancellationToken);
                return new MutationRun.Applied(stored, applied.Granted, Replayed: false);
            }

            AccountRequests.RetryOrThrow(logger, request.MessageType, account.AccountId, attempt, maxAttempts);
        }
    }

    private static MutationRecord? FindRecord(Account account, string requestKey)
    {
        if (account.RecentMutations.IsDefaultOrEmpty)
        {
            return null;
        }

        for (var i = account.RecentMutations.Length - 1; i >= 0; i--)
        {
            if (string.Equals(account.RecentMutations[i].RequestKey, requestKey, StringComparison.Ordinal))
            {
                return account.RecentMutations[i];
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MessageType} on account {AccountId} is a retry of the mutation stored as revision {Revision}; nothing applied")]
    private partial void LogReplayed(string accountId, string messageType, long revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MessageType} on banned account {AccountId} refused")]
    private partial void LogBannedRefused(string accountId, string messageType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} on account {AccountId} reuses the request id of an earlier {RecordedType} request; refused")]
    private partial void LogKeyReused(string accountId, string messageType, string recordedType);
}
