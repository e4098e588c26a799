using System.Collections.Immutable;
using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using ConfigReward = MetaServer.GameConfig.Reward;

namespace MetaServer.Accounts.Handlers;

/// <summary>Shared parts of the two real-money purchase commands.</summary>
internal static class PurchaseCommands
{
    public const int MaxTransactionKeyLength = 4096;

    public static string? Validate(string accountId, PurchaseStore store, string transactionKey)
    {
        if (accountId.Length is 0 or > GetAccountHandler.MaxAccountIdLength)
        {
            return "The account id is empty or too long.";
        }

        if (store is not (PurchaseStore.AppStore or PurchaseStore.GooglePlay))
        {
            return "The store must be the App Store or Google Play.";
        }

        return transactionKey.Length is 0 or > MaxTransactionKeyLength ? "The transaction key is empty or too long." : null;
    }

    public static string StoreName(PurchaseStore store) => store == PurchaseStore.AppStore ? "apple" : "google";

    public static ConfigReward ToReward(Grant? grant)
    {
        if (grant is null)
        {
            return ConfigReward.Empty;
        }

        return new ConfigReward(
            [.. grant.Currencies.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new GameConfig.CurrencyAmount(c.Key, c.Value))],
            [.. grant.Items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => new GameConfig.ItemAmount(i.Key, i.Value))],
            grant.Xp);
    }
}

/// <summary>
/// <c>accounts.grant-purchase</c> (internal, sent by the payments service once a purchase is verified and claimed):
/// adds the purchase's grant (strictly: what does not fit refuses it with FAILED_PRECONDITION, nothing changes) and
/// records the purchase in <see cref="Account.Purchases"/> in the same conditional write. Idempotent per (store,
/// transaction key) for good: a purchase already granted answers OK with the recorded grant and the current snapshot
/// (<c>replayed</c>); a purchase already revoked (the refund overtook the grant) answers PURCHASE_REFUNDED and grants
/// nothing. Applies to banned accounts too (the purchase was paid). Answers <see cref="GrantPurchaseResult"/> on
/// <c>payments.purchase-granted</c> (the envelope's reply-to).
/// </summary>
public sealed partial class GrantPurchaseHandler(
    AccountMutationRunner runner,
    GameConfig.GameConfig config,
    TimeProvider timeProvider,
    ILogger<GrantPurchaseHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.AccountsGrantPurchase;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        GrantPurchaseCommand command;
        try
        {
            command = GrantPurchaseCommand.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogInvalid(message.Envelope.MessageId, "undecodable payload");
            return [];
        }

        var result = new GrantPurchaseResult
        {
            AccountId = command.AccountId,
            Store = command.Store,
            TransactionKey = command.TransactionKey,
            ClientReplyTo = command.ClientReplyTo,
            AttemptId = command.AttemptId,
        };
        if (PurchaseCommands.Validate(command.AccountId, command.Store, command.TransactionKey) is { } invalid)
        {
            LogInvalid(message.Envelope.MessageId, invalid);
            result.Result = new Result { Code = ResultCode.InvalidArgument, Message = invalid };
            return Reply(message, result);
        }

        var purchaseKey = AccountPurchaseKeys.Of(PurchaseCommands.StoreName(command.Store), command.TransactionKey);
        var reward = PurchaseCommands.ToReward(command.Grant);
        AccountPurchase? recorded = null;
        Account? recordedOn = null;
        var run = await runner.RunAsync(
            new MutationRequest(command.AccountId, "purchase:" + purchaseKey, MessageType, Fingerprint: string.Empty, AppliesToBannedAccount: true),
            (account, now) =>
            {
                if (account.Purchases.TryGetValue(purchaseKey, out var existing))
                {
                    recorded = existing;
                    recordedOn = account;
                    return MutationOutcome.Refuse(ResultCode.FailedPrecondition, "The purchase is already recorded.");
                }

                recorded = null;
                return PurchaseRules.Grant(account, purchaseKey, command.OfferId, reward, config, now);
            },
            cancellationToken);
        var now = timeProvider.GetUtcNow();
        switch (run)
        {
            case MutationRun.Applied applied:
                if (!applied.Replayed)
                {
                    LogGranted(command.OfferId, applied.Account.AccountId, applied.Account.Revision);
                }

                result.Result = new Result { Code = ResultCode.Ok };
                result.Account = AccountSnapshots.ToSnapshot(applied.Account, config, now);
                result.Granted = AccountSnapshots.ToGrant(applied.Granted);
                result.Replayed = applied.Replayed;
                break;
            case MutationRun.Refused when recorded is { State: AccountPurchaseState.Granted } && recordedOn is not null:
                result.Result = new Result { Code = ResultCode.Ok };
                result.Account = AccountSnapshots.ToSnapshot(recordedOn, config, now);
                result.Granted = AccountSnapshots.ToGrant(recorded.Granted);
                result.Replayed = true;
                break;
            case MutationRun.Refused when recorded is { State: AccountPurchaseState.Revoked } && recordedOn is not null:
                LogRevokedBeforeGrant(command.AccountId);
                result.Result = new Result { Code = ResultCode.PurchaseRefunded, Message = "This purchase was refunded; nothing was granted." };
                result.Account = AccountSnapshots.ToSnapshot(recordedOn, config, now);
                break;
            case MutationRun.Refused refused:
                LogRefused(command.AccountId, refused.Code, refused.Message);
                result.Result = new Result { Code = refused.Code, Message = refused.Message };
                break;
            default:
                throw new InvalidOperationException($"Unknown mutation run {run.GetType().Name}.");
        }

        return Reply(message, result);
    }

    private IReadOnlyList<OutgoingMessage> Reply(IncomingMessage message, GrantPurchaseResult result) =>
        Replies.To(message, MessageTypes.PaymentsPurchaseGranted, result.ToByteArray(), timeProvider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Granted real-money offer {OfferId} to account {AccountId} (revision {Revision})")]
    private partial void LogGranted(string offerId, string accountId, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase grant {MessageId} dropped: {Reason}")]
    private partial void LogInvalid(string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase grant for account {AccountId} refused: the purchase was revoked first")]
    private partial void LogRevokedBeforeGrant(string accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purchase grant for account {AccountId} refused with {Code}: {Reason}")]
    private partial void LogRefused(string accountId, ResultCode code, string reason);
}

/// <summary>
/// <c>accounts.revoke-purchase</c> (internal, sent by the payments service for a store refund/revocation): takes back
/// what the purchase granted under the command's clawback policy (<see cref="PurchaseRules.Revoke"/>) and marks it
/// revoked, in one conditional write. Idempotent per (store, transaction key) for good: a purchase already revoked
/// answers OK with the recorded clawback. A purchase never granted is recorded as revoked (a later grant is refused).
/// Answers <see cref="RevokePurchaseResult"/> on <c>payments.purchase-revoked</c> (reply-to) and pushes an
/// <see cref="AccountUpdatedEvent"/> to the player when a <see cref="PlayerEventPublisher"/> is registered (best effort).
/// </summary>
public sealed partial class RevokePurchaseHandler(
    AccountMutationRunner runner,
    GameConfig.GameConfig config,
    TimeProvider timeProvider,
    ILogger<RevokePurchaseHandler> logger,
    PlayerEventPublisher? events = null) : IMessageHandler
{
    public string MessageType => MessageTypes.AccountsRevokePurchase;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        RevokePurchaseCommand command;
        try
        {
            command = RevokePurchaseCommand.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogInvalid(message.Envelope.MessageId, "undecodable payload");
            return [];
        }

        var result = new RevokePurchaseResult { AccountId = command.AccountId, Store = command.Store, TransactionKey = command.TransactionKey };
        var invalid = PurchaseCommands.Validate(command.AccountId, command.Store, command.TransactionKey)
            ?? (command.Policy is ClawbackPolicy.AllowNegativeBalance or ClawbackPolicy.FlagAccount ? null : "The clawback policy is missing.");
        if (invalid is not null)
        {
            LogInvalid(message.Envelope.MessageId, invalid);
            result.Result = new Result { Code = ResultCode.InvalidArgument, Message = invalid };
            return Reply(message, result);
        }

        var purchaseKey = AccountPurchaseKeys.Of(PurchaseCommands.StoreName(command.Store), command.TransactionKey);
        var mode = command.Policy == ClawbackPolicy.FlagAccount ? ClawbackMode.FlagAccount : ClawbackMode.AllowNegativeBalance;
        AccountPurchase? recorded = null;
        Account? recordedOn = null;
        var run = await runner.RunAsync(
            new MutationRequest(command.AccountId, "refund:" + purchaseKey, MessageType, Fingerprint: string.Empty, AppliesToBannedAccount: true),
            (account, now) =>
            {
                if (account.Purchases.TryGetValue(purchaseKey, out var existing) && existing.State == AccountPurchaseState.Revoked)
                {
                    recorded = existing;
                    recordedOn = account;
                    return MutationOutcome.Refuse(ResultCode.FailedPrecondition, "The purchase is already revoked.");
                }

                recorded = null;
                return PurchaseRules.Revoke(account, purchaseKey, mode, config, now);
            },
            cancellationToken);
        var now = timeProvider.GetUtcNow();
        switch (run)
        {
            case MutationRun.Applied applied:
                var stored = applied.Account.Purchases.GetValueOrDefault(purchaseKey);
                if (!applied.Replayed)
                {
                    LogRevoked(applied.Account.AccountId, applied.Account.Revision, stored?.Shortfall.Count ?? 0);
                }

                Fill(result, stored, applied.Account, now);
                await PublishAsync(applied.Account, now, cancellationToken);
                break;
            case MutationRun.Refused when recorded is not null && recordedOn is not null:
                Fill(result, recorded, recordedOn, now);
                break;
            case MutationRun.Refused refused:
                LogRefused(command.AccountId, refused.Code, refused.Message);
                result.Result = new Result { Code = refused.Code, Message = refused.Message };
                break;
            default:
                throw new InvalidOperationException($"Unknown mutation run {run.GetType().Name}.");
        }

        return Reply(message, result);
    }

    private void Fill(RevokePurchaseResult result, AccountPurchase? purchase, Account account, DateTimeOffset now)
    {
        result.Result = new Result { Code = ResultCode.Ok };
        result.Account = AccountSnapshots.ToSnapshot(account, config, now);
        result.Revoked = AccountSnapshots.ToGrant(purchase?.Revoked ?? Granted.None);
        result.Shortfall.Add(purchase?.Shortfall ?? ImmutableDictionary<string, long>.Empty);
    }

    private IReadOnlyList<OutgoingMessage> Reply(IncomingMessage message, RevokePurchaseResult result) =>
        Replies.To(message, MessageTypes.PaymentsPurchaseRevoked, result.ToByteArray(), timeProvider);

    private async ValueTask PublishAsync(Account account, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (events is null)
        {
            return;
        }

        try
        {
            await events.PublishAsync(
                account.AccountId,
                new Envelope { AccountUpdated = new AccountUpdatedEvent { Account = AccountSnapshots.ToSnapshot(account, config, now), Granted = new Grant() } },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The clawback is stored; the event is best effort.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPublishFailed(ex, account.AccountId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked a real-money purchase of account {AccountId} (revision {Revision}, {ShortfallCount} shortfall entries)")]
    private partial void LogRevoked(string accountId, long revision, int shortfallCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase revocation {MessageId} dropped: {Reason}")]
    private partial void LogInvalid(string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purchase revocation for account {AccountId} refused with {Code}: {Reason}")]
    private partial void LogRefused(string accountId, ResultCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push the account update of account {AccountId} to its player")]
    private partial void LogPublishFailed(Exception exception, string accountId);
}
