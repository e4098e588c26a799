using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.ban-account</c> (operator tooling, no client route): stores a ban (reason, optional expiry, operator)
/// on the account and records it in the moderation log. Idempotent: a request id already in the log is not applied
/// again. While the ban is active, logins and session resumes answer ACCOUNT_BANNED, and the player's live session
/// gets a <c>DisconnectEvent{ACCOUNT_BANNED}</c> through the optional <see cref="PlayerEventPublisher"/> (best
/// effort; sent again by a redelivery). Answered with AccountResult.
/// </summary>
public sealed partial class BanAccountHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<BanAccountHandler> logger,
    PlayerEventPublisher? events = null) : IMessageHandler
{
    /// <summary>Longest ban reason accepted.</summary>
    public const int MaxReasonLength = 500;

    public string MessageType => MessageTypes.AccountsBanAccount;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, BanAccountCommand.Parser, "ban", ErrorReplies.AccountResult(timeProvider), logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        var now = timeProvider.GetUtcNow();
        var problem = Moderation.ValidateCommon(command.AccountId, command.Operator)
            ?? (string.IsNullOrWhiteSpace(command.Reason) ? "The ban needs a reason."
                : command.Reason.Length > MaxReasonLength ? $"The ban reason is longer than {MaxReasonLength} characters."
                : command.ExpiresAtUnixMs < 0 ? "The ban expiry is negative."
                : command.ExpiresAtUnixMs > 0 && DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(command.ExpiresAtUnixMs, 253402300799999)) <= now
                    ? "The ban expiry is in the past."
                    : null);
        if (problem is not null)
        {
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, problem, timeProvider);
        }

        var requestId = string.IsNullOrEmpty(command.RequestId) ? message.Envelope.MessageId : command.RequestId;
        var ban = new AccountBan
        {
            Reason = command.Reason.Trim(),
            BannedAt = now,
            ExpiresAt = command.ExpiresAtUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(command.ExpiresAtUnixMs, 253402300799999)),
            Operator = command.Operator,
        };
        var entry = new ModerationEntry
        {
            Action = ModerationEntry.BanAction,
            RequestId = requestId,
            Operator = command.Operator,
            At = now,
            Reason = ban.Reason,
            ExpiresAt = ban.ExpiresAt,
        };
        var result = await Moderation.ApplyAsync(
            store, migrator, options.Value.MaxUpdateAttempts, message, command.AccountId, requestId, a => a with { Ban = ban }, entry, timeProvider, logger, cancellationToken);
        if (result.Account is not { } stored)
        {
            return result.ErrorReply;
        }

        if (stored.ActiveBan(now) is { } active)
        {
            LogBanned(stored.AccountId, active.Operator);
            await DisconnectAsync(stored.AccountId, active, cancellationToken);
        }

        return AccountResultReplies.Ok(message, stored, created: false, config, timeProvider);
    }

    private async Task DisconnectAsync(string accountId, AccountBan ban, CancellationToken cancellationToken)
    {
        if (events is null)
        {
            return;
        }

        try
        {
            await events.PublishAsync(
                accountId,
                new Envelope { Disconnect = new DisconnectEvent { Code = ResultCode.AccountBanned, Reason = AccountIdentityExtensions.BannedMessage(ban) } },
                cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The ban is stored; the live session is closed at its next resume or refresh at the latest.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogDisconnectFailed(ex, accountId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} is banned (by {Operator})")]
    private partial void LogBanned(string accountId, string @operator);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the live session of banned account {AccountId} to disconnect; it is refused at its next resume")]
    private partial void LogDisconnectFailed(Exception exception, string accountId);
}

/// <summary>
/// <c>accounts.unban-account</c> (operator tooling): lifts the ban and records it in the moderation log. Idempotent:
/// an account that is not banned, or a request id already applied, is answered with the account as it is.
/// </summary>
public sealed partial class UnbanAccountHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<UnbanAccountHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.AccountsUnbanAccount;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, UnbanAccountCommand.Parser, "unban", ErrorReplies.AccountResult(timeProvider), logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        if (Moderation.ValidateCommon(command.AccountId, command.Operator) is { } problem)
        {
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, problem, timeProvider);
        }

        var requestId = string.IsNullOrEmpty(command.RequestId) ? message.Envelope.MessageId : command.RequestId;
        var entry = new ModerationEntry { Action = ModerationEntry.UnbanAction, RequestId = requestId, Operator = command.Operator, At = timeProvider.GetUtcNow() };
        var result = await Moderation.ApplyAsync(
            store, migrator, options.Value.MaxUpdateAttempts, message, command.AccountId, requestId,
            a => a.Ban is null ? null : a with { Ban = null }, entry, timeProvider, logger, cancellationToken);
        if (result.Account is not { } stored)
        {
            return result.ErrorReply;
        }

        LogUnbanned(stored.AccountId, command.Operator);
        return AccountResultReplies.Ok(message, stored, created: false, config, timeProvider);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} is unbanned (by {Operator})")]
    private partial void LogUnbanned(string accountId, string @operator);
}

/// <summary>The read-change-write loop of the moderation commands.</summary>
internal static class Moderation
{
    private const int MaxFieldLength = 128;

    public static string? ValidateCommon(string accountId, string @operator) =>
        string.IsNullOrEmpty(accountId) ? "The account id is empty."
        : accountId.Length > GetAccountHandler.MaxAccountIdLength ? $"The account id is longer than {GetAccountHandler.MaxAccountIdLength} characters."
        : string.IsNullOrWhiteSpace(@operator) ? "Say who does this (operator)."
        : @operator.Length > MaxFieldLength ? $"The operator is longer than {MaxFieldLength} characters."
        : null;

    /// <summary>
    /// Applies <paramref name="change"/> (null: nothing to change) plus <paramref name="entry"/> unless the request id
    /// is already in the moderation log. Returns the stored account, or the error reply.
    /// </summary>
    public static async Task<(Account? Account, IReadOnlyList<OutgoingMessage> ErrorReply)> ApplyAsync(
        IAccountStore store,
        AccountMigrator migrator,
        int maxAttempts,
        IncomingMessage message,
        string accountId,
        string requestId,
        Func<Account, Account?> change,
        ModerationEntry entry,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.GetAsync(accountId, cancellationToken);
            if (account is null)
            {
                return (null, AccountResultReplies.Error(message, ResultCode.NotFound, "No account has this id.", timeProvider));
            }

            if (!AccountRequests.TryMigrate(migrator, account, message, ErrorReplies.AccountResult(timeProvider), logger, out var migrated, out var migrationFailed))
            {
                return (null, migrationFailed);
            }

            if (account.HasModerationRequest(requestId) || change(migrated) is not { } changed)
            {
                return (account, []);
            }

            var update = await store.TryUpdateAsync(changed.WithModerationEntry(entry), account.Revision, cancellationToken);
            if (update is { Succeeded: true, Account: { } stored })
            {
                return (stored, []);
            }

            AccountRequests.RetryOrThrow(logger, message.Envelope.MessageType, accountId, attempt, maxAttempts);
        }
    }
}
