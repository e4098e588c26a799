using MetaServer.Accounts.Economy;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using ConfigMatchOutcome = MetaServer.GameConfig.MatchOutcome;
using WireMatchOutcome = MetaServer.Protocol.Internal.V1.MatchOutcome;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.apply-match-result</c> (internal, sent by the matches service): grants the config's match reward
/// for the game mode and outcome, XP and quest progress (<see cref="AccountRules.ApplyMatchResult"/>). Idempotent
/// per account and match id (request key <c>match:&lt;match id&gt;</c> in the account's mutation records): a
/// redelivery applies nothing. Applied to a banned account too (the match happened; player requests of a banned
/// account are refused by the <see cref="AccountMutationRunner"/>). Answers <c>accounts.account-result</c> when the
/// sender asked for a reply, and pushes an <see cref="AccountUpdatedEvent"/> with the new snapshot to the player when a <see cref="PlayerEventPublisher"/>
/// is registered (best effort: the player may be offline; a failure is logged and never fails the message).
/// </summary>
public sealed partial class ApplyMatchResultHandler(
    AccountMutationRunner runner,
    GameConfig.GameConfig config,
    TimeProvider timeProvider,
    ILogger<ApplyMatchResultHandler> logger,
    PlayerEventPublisher? events = null) : IMessageHandler
{
    public const int MaxMatchIdLength = 128;

    public string MessageType => MessageTypes.AccountsApplyMatchResult;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, ApplyMatchResultCommand.Parser, "match result", ErrorReplies.AccountResult(timeProvider), logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        if (Validate(command) is { } invalid)
        {
            LogInvalidCommand(command.MatchId.Length <= MaxMatchIdLength ? command.MatchId : "(too long)", invalid);
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
        }

        var outcome = command.Outcome switch
        {
            WireMatchOutcome.Win => ConfigMatchOutcome.Win,
            WireMatchOutcome.Loss => ConfigMatchOutcome.Loss,
            _ => ConfigMatchOutcome.Draw,
        };
        var stats = command.Stats.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

        // The match id is the identity of the result; its payload is not compared (a resend may encode the stats map differently).
        // A banned account still gets it: the match was played (the ban may even have landed after it ended), and
        // dropping it would make the account's history disagree with the other players'.
        var run = await runner.RunAsync(
            new MutationRequest(command.AccountId, "match:" + command.MatchId, MessageType, Fingerprint: string.Empty, AppliesToBannedAccount: true),
            (account, _) => AccountRules.ApplyMatchResult(account, command.GameMode, outcome, stats, config),
            cancellationToken);
        switch (run)
        {
            case MutationRun.Applied applied:
                if (!applied.Replayed)
                {
                    LogApplied(command.MatchId, applied.Account.AccountId, applied.Account.Revision);
                }

                // Also after a replay: the first delivery may have stopped between the write and the event.
                await PublishAsync(applied, cancellationToken);
                return AccountResultReplies.Ok(message, applied.Account, created: false, config, timeProvider);
            case MutationRun.Refused refused:
                LogRefused(command.MatchId, command.AccountId, refused.Code, refused.Message);
                return AccountResultReplies.Error(message, refused.Code, refused.Message, timeProvider, refused.AccountId);
            default:
                throw new InvalidOperationException($"Unknown mutation run {run.GetType().Name}.");
        }
    }

    private static string? Validate(ApplyMatchResultCommand command)
    {
        if (command.MatchId.Length is 0 or > MaxMatchIdLength || command.MatchId.Any(c => c is < ' ' or > '~'))
        {
            return $"The match id must be 1 to {MaxMatchIdLength} printable ASCII characters.";
        }

        if (command.AccountId.Length is 0 or > GetAccountHandler.MaxAccountIdLength)
        {
            return "The account id is empty or too long.";
        }

        if (command.Outcome is not (WireMatchOutcome.Win or WireMatchOutcome.Loss or WireMatchOutcome.Draw))
        {
            return "The match outcome must be win, loss or draw.";
        }

        return command.GameMode.Length == 0 ? "The match result names no game mode." : null;
    }

    private async ValueTask PublishAsync(MutationRun.Applied applied, CancellationToken cancellationToken)
    {
        if (events is null)
        {
            return;
        }

        var clientEvent = new Envelope
        {
            AccountUpdated = new AccountUpdatedEvent
            {
                Account = AccountSnapshots.ToSnapshot(applied.Account, config, timeProvider.GetUtcNow()),
                Granted = AccountSnapshots.ToGrant(applied.Granted),
            },
        };
        try
        {
            await events.PublishAsync(applied.Account.AccountId, clientEvent, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The match result is stored; the event is best effort.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPublishFailed(ex, applied.Account.AccountId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied match {MatchId} to account {AccountId} (revision {Revision})")]
    private partial void LogApplied(string matchId, string accountId, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Match result {MatchId} refused: {Reason}")]
    private partial void LogInvalidCommand(string matchId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Match result {MatchId} for account {AccountId} refused with {Code}: {Reason}")]
    private partial void LogRefused(string matchId, string accountId, ResultCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push the account update of account {AccountId} to its player")]
    private partial void LogPublishFailed(Exception exception, string accountId);
}
