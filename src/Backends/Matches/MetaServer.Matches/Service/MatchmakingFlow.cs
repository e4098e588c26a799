using MetaServer.Matches.Accounts;
using MetaServer.Matches.Rating;
using MetaServer.Matches.Storage;
using MetaServer.Matchmaking;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Service;

/// <summary>A member to queue: account and measured latencies.</summary>
internal sealed record QueueMember(string AccountId, IReadOnlyDictionary<string, int> LatencyMs);

/// <summary>A start request, solo (one member, no party) or a party's (leader first).</summary>
internal sealed record StartTicketRequest(string RequestedBy, string ClientRequestId, string GameMode, string? PartyId, IReadOnlyList<QueueMember> Members);

/// <summary>
/// What a flow operation decided: OK with the ticket (or no ticket), or an error; and which ticket players other
/// than the requester should be told about the change.
/// </summary>
internal sealed record FlowOutcome(ResultCode Code, string Message, TicketRecord? Ticket, MatchRecord? Match, IReadOnlyList<string> NotifyOthers)
{
    public static FlowOutcome Ok(TicketRecord? ticket, MatchRecord? match = null, IReadOnlyList<string>? notify = null) =>
        new(ResultCode.Ok, string.Empty, ticket, match, notify ?? []);

    public static FlowOutcome Error(ResultCode code, string message) => new(code, message, null, null, []);
}

/// <summary>
/// The player side of matchmaking over the <see cref="IMatchStore"/> and the <see cref="IMatchmaker"/>.
/// <para>
/// Start is crash-safe without transactions: the ticket id is derived from the idempotency key (requester and client
/// request id), the ticket record is written first (QUEUED, not yet submitted), then each player's record is pointed at
/// it with a conditional write (re-checking "already queued" / "in a match" on every conflict), then the matchmaker is
/// called and the ticket marked submitted. A retry or redelivery finds the ticket and resumes or answers it. Nothing
/// holds a player forever: an unsubmitted ticket stops holding its players after <see cref="MatchesOptions.SubmitGrace"/>,
/// a submitted one after its request timeout plus <see cref="MatchesOptions.EventGrace"/>, a match when its record is
/// COMPLETED/ABANDONED or after <see cref="MatchesOptions.MaxMatchDuration"/>.
/// </para>
/// </summary>
internal sealed partial class MatchmakingFlow(
    FlowStore store,
    IMatchmaker matchmaker,
    IMatchAccountReader accounts,
    ISessionRegistry sessions,
    GameConfig.GameConfig config,
    MatchmakingCatalog catalog,
    IOptions<MatchesOptions> options,
    IOptions<RatingOptions> ratingOptions,
    TimeProvider timeProvider,
    ILogger<MatchmakingFlow> logger)
{
    /// <summary>Most players on one ticket (the FlexMatch limit).</summary>
    public const int MaxTicketPlayers = 10;

    public async Task<FlowOutcome> StartAsync(StartTicketRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var mode = config.FindGameMode(request.GameMode);
        if (mode is null)
        {
            return FlowOutcome.Error(ResultCode.NotFound, $"There is no game mode '{request.GameMode}'.");
        }

        if (!settings.GameModes.TryGetValue(mode.Id, out var modeOptions) || catalog.Find(modeOptions.Configuration ?? string.Empty) is not { } definition)
        {
            return FlowOutcome.Error(ResultCode.NotFound, $"The game mode '{mode.Id}' is not open for matchmaking.");
        }

        if (request.Members.Count > Math.Min(MaxTicketPlayers, mode.MaxPlayers))
        {
            return FlowOutcome.Error(ResultCode.InvalidArgument, $"At most {Math.Min(MaxTicketPlayers, mode.MaxPlayers)} players can queue together for {mode.Name}.");
        }

        var scope = request.PartyId is null ? "solo" : "party:" + request.PartyId;
        var ticketId = TicketIds.For(scope, request.RequestedBy, request.ClientRequestId);
        var now = timeProvider.GetUtcNow();
        var (existing, existingVersion) = await store.GetTicketAsync(ticketId, cancellationToken);
        TicketRecord ticket;
        var resumed = existing is not null;
        if (existing is not null)
        {
            if (existing.GameMode != request.GameMode
                || !existing.Members.Select(m => m.AccountId).SequenceEqual(request.Members.Select(m => m.AccountId), StringComparer.Ordinal))
            {
                return FlowOutcome.Error(ResultCode.InvalidArgument, "This client request id was already used for a different matchmaking request.");
            }

            if (existing.Submitted || existing.IsEnded)
            {
                return FlowOutcome.Ok(existing, notify: Others(existing, request.RequestedBy));
            }

            // Recorded by an attempt that stopped before the matchmaker confirmed it: resume, with a fresh grace period.
            ticket = existing with { CreatedAt = now, LiveUntil = LiveUntil(definition.Configuration, now) };
            if (!await store.TryWriteTicketAsync(ticket, existingVersion, cancellationToken))
            {
                throw new MatchStoreConflictException($"Ticket {ticketId} changed while being resumed.");
            }
        }
        else
        {
            foreach (var member in request.Members)
            {
                if (await BusyAsync(member.AccountId, ticketId, now, cancellationToken) is { } busy)
                {
                    return busy;
                }
            }

            ticket = await NewTicketAsync(request, ticketId, definition.Configuration, now, cancellationToken);
            if (!await store.TryWriteTicketAsync(ticket, 0, cancellationToken))
            {
                // A concurrent attempt of the same request created it: answer what it made.
                var (raced, _) = await store.GetTicketAsync(ticketId, cancellationToken);
                return FlowOutcome.Ok(raced, notify: raced is null ? null : Others(raced, request.RequestedBy));
            }
        }

        foreach (var member in request.Members)
        {
            if (await ClaimAsync(member.AccountId, ticketId, now, cancellationToken) is { } busy)
            {
                await EndTicketAsync(ticketId, MatchmakingState.Cancelled, busy.Message, cancellationToken);
                return busy;
            }
        }

        try
        {
            await matchmaker.StartMatchmakingAsync(ToMatchmakerRequest(ticket, definition), cancellationToken);
        }
        catch (MatchmakerException ex) when (resumed && ex.Code == MatchmakerErrorCode.InvalidRequest)
        {
            // The earlier attempt reached the matchmaker before it stopped: the ticket id is taken by this very ticket.
            LogResumedDuplicate(ticketId);
        }
        catch (MatchmakerException ex)
        {
            LogMatchmakerRefused(ex, ticketId, ex.Code);
            var (code, message) = ex.Code switch
            {
                MatchmakerErrorCode.Unavailable => (ResultCode.Unavailable, "Matchmaking is not available right now; try again later."),
                MatchmakerErrorCode.NotFound => (ResultCode.Unavailable, $"Matchmaking for '{mode.Id}' is not available right now."),
                _ => (ResultCode.InvalidArgument, "The matchmaker refused the ticket."),
            };
            await EndTicketAsync(ticketId, MatchmakingState.Failed, message, cancellationToken);
            return FlowOutcome.Error(code, message);
        }

        var (submitted, _) = await store.MutateTicketAsync(ticketId, t => t.Submitted ? null : t with { Submitted = true }, cancellationToken);
        submitted ??= ticket with { Submitted = true };
        return FlowOutcome.Ok(submitted, notify: Others(submitted, request.RequestedBy));
    }

    public async Task<FlowOutcome> CancelAsync(string accountId, string ticketId, CancellationToken cancellationToken)
    {
        var (ticket, _) = ticketId.Length == 0 ? (null, 0) : await store.GetTicketAsync(ticketId, cancellationToken);
        if (ticket is null || !ticket.Has(accountId))
        {
            return FlowOutcome.Error(ResultCode.NotFound, "You have no matchmaking ticket with this id.");
        }

        return await CancelTicketAsync(ticket, accountId, "Cancelled by " + NameOf(ticket, accountId) + ".", cancellationToken);
    }

    public async Task<FlowOutcome> AcceptAsync(string accountId, string ticketId, bool accept, CancellationToken cancellationToken)
    {
        var (ticket, _) = ticketId.Length == 0 ? (null, 0) : await store.GetTicketAsync(ticketId, cancellationToken);
        if (ticket is null || !ticket.Has(accountId))
        {
            return FlowOutcome.Error(ResultCode.NotFound, "You have no matchmaking ticket with this id.");
        }

        if (ticket.State != MatchmakingState.RequiresAcceptance)
        {
            return FlowOutcome.Error(ResultCode.FailedPrecondition, "The ticket is not waiting for players to accept a match.");
        }

        try
        {
            await matchmaker.AcceptMatchAsync(ticketId, [accountId], accept, cancellationToken);
        }
        catch (MatchmakerException ex) when (ex.Code != MatchmakerErrorCode.Unavailable)
        {
            LogMatchmakerRefused(ex, ticketId, ex.Code);
            return FlowOutcome.Error(ResultCode.FailedPrecondition, "The proposed match can no longer be accepted or rejected.");
        }
        catch (MatchmakerException ex)
        {
            LogMatchmakerRefused(ex, ticketId, ex.Code);
            return FlowOutcome.Error(ResultCode.Unavailable, "Matchmaking is not available right now; try again.");
        }

        var (updated, _) = await store.MutateTicketAsync(
            ticketId,
            t => t.State != MatchmakingState.RequiresAcceptance || !accept || t.Members.Find(m => m.AccountId == accountId) is not { Accepted: false }
                ? null
                : t with { Members = [.. t.Members.Select(m => m.AccountId == accountId ? m with { Accepted = true } : m)] },
            cancellationToken);
        updated ??= ticket;
        return FlowOutcome.Ok(updated, notify: Others(updated, accountId));
    }

    public async Task<FlowOutcome> StatusAsync(string accountId, CancellationToken cancellationToken)
    {
        var (player, _) = await store.GetPlayerAsync(accountId, cancellationToken);
        if (player.TicketId is null)
        {
            return FlowOutcome.Ok(null);
        }

        var (ticket, _) = await store.GetTicketAsync(player.TicketId, cancellationToken);
        if (ticket is null)
        {
            return FlowOutcome.Ok(null);
        }

        MatchRecord? match = null;
        if (ticket.MatchId is not null)
        {
            match = await store.GetMatchAsync(ticket.MatchId, cancellationToken);
            var over = (match is not null && TicketStatuses.IsOver(match))
                || (player.MatchId == ticket.MatchId && player.MatchExpiresAt is { } expires && expires <= timeProvider.GetUtcNow());
            if (over)
            {
                return FlowOutcome.Ok(null);
            }
        }

        return FlowOutcome.Ok(ticket, match);
    }

    /// <summary>
    /// A session of <paramref name="accountId"/> closed: cancels the player's QUEUED or SEARCHING ticket, unless the player
    /// has connected again meanwhile (the registry holds another session). Returns the cancelled ticket, or null.
    /// </summary>
    public async Task<FlowOutcome?> DisconnectedAsync(string accountId, string sessionId, CancellationToken cancellationToken)
    {
        var current = await sessions.LookupAsync(accountId, cancellationToken);
        if (current is not null && current.SessionId != sessionId)
        {
            LogDisconnectIgnored(accountId);
            return null;
        }

        var (player, _) = await store.GetPlayerAsync(accountId, cancellationToken);
        if (player.TicketId is null)
        {
            return null;
        }

        var (ticket, _) = await store.GetTicketAsync(player.TicketId, cancellationToken);
        if (ticket is null || !ticket.Has(accountId) || ticket.State is not (MatchmakingState.Queued or MatchmakingState.Searching))
        {
            return null;
        }

        var outcome = await CancelTicketAsync(ticket, accountId, NameOf(ticket, accountId) + " disconnected.", cancellationToken);
        return outcome.Code == ResultCode.Ok ? outcome with { NotifyOthers = Others(outcome.Ticket!, accountId) } : null;
    }

    private async Task<FlowOutcome> CancelTicketAsync(TicketRecord ticket, string accountId, string reason, CancellationToken cancellationToken)
    {
        if (ticket.IsEnded)
        {
            return FlowOutcome.Ok(ticket);
        }

        if (ticket.State == MatchmakingState.Placing)
        {
            return FlowOutcome.Error(ResultCode.FailedPrecondition, "A match was found and is being set up; it can no longer be cancelled.");
        }

        try
        {
            await matchmaker.StopMatchmakingAsync(ticket.TicketId, cancellationToken);
        }
        catch (MatchmakerException ex)
        {
            LogMatchmakerRefused(ex, ticket.TicketId, ex.Code);
            if (ex.Code == MatchmakerErrorCode.Unavailable)
            {
                return FlowOutcome.Error(ResultCode.Unavailable, "Matchmaking is not available right now; try again.");
            }
        }

        var (updated, _) = await store.MutateTicketAsync(
            ticket.TicketId,
            t => t.IsEnded || t.State == MatchmakingState.Placing ? null : t with { State = MatchmakingState.Cancelled, Reason = reason },
            cancellationToken);
        updated ??= ticket;
        return FlowOutcome.Ok(updated, notify: Others(updated, accountId));
    }

    /// <summary>Null when the player is free to join <paramref name="ticketId"/>, else the ALREADY_QUEUED / IN_MATCH error.</summary>
    private async Task<FlowOutcome?> BusyAsync(string accountId, string ticketId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (player, _) = await store.GetPlayerAsync(accountId, cancellationToken);
        return await BusyAsync(player, accountId, ticketId, now, cancellationToken);
    }

    private async Task<FlowOutcome?> BusyAsync(PlayerRecord player, string accountId, string ticketId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (player.MatchId is not null && player.MatchExpiresAt is { } expires && now < expires)
        {
            var match = await store.GetMatchAsync(player.MatchId, cancellationToken);
            if (match is not null && !TicketStatuses.IsOver(match))
            {
                return FlowOutcome.Error(ResultCode.InMatch, $"{Who(accountId)} in a match that has not ended yet.");
            }
        }

        if (player.TicketId is not null && player.TicketId != ticketId && player.MatchId is null)
        {
            var (other, _) = await store.GetTicketAsync(player.TicketId, cancellationToken);
            if (other is not null && other.HoldsPlayers(now, options.Value.SubmitGrace))
            {
                return FlowOutcome.Error(ResultCode.AlreadyQueued, $"{Who(accountId)} already queued for a match.");
            }
        }

        return null;
    }

    /// <summary>Points the player's record at the ticket (conditional write), re-checking on every conflict.</summary>
    private async Task<FlowOutcome?> ClaimAsync(string accountId, string ticketId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (player, version) = await store.GetPlayerAsync(accountId, cancellationToken);
            if (player.TicketId == ticketId && player.MatchId is null)
            {
                return null;
            }

            if (await BusyAsync(player, accountId, ticketId, now, cancellationToken) is { } busy)
            {
                return busy;
            }

            if (await store.TryWritePlayerAsync(accountId, new PlayerRecord { TicketId = ticketId }, version, cancellationToken))
            {
                return null;
            }

            store.ThrowWhenExhausted(attempt, "player " + accountId);
        }
    }

    private async Task EndTicketAsync(string ticketId, MatchmakingState state, string reason, CancellationToken cancellationToken) =>
        await store.MutateTicketAsync(ticketId, t => t.IsEnded ? null : t with { State = state, Reason = reason }, cancellationToken);

    private async Task<TicketRecord> NewTicketAsync(StartTicketRequest request, string ticketId, MatchmakingConfiguration configuration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = request.Members.Select(m => m.AccountId).ToList();
        var ratingItems = await store.Store.GetManyAsync([.. ids.Select(MatchStoreKeys.Rating)], cancellationToken);
        var skills = ratingItems.ToDictionary(
            i => i.Key[MatchStoreKeys.Rating(string.Empty).Length..],
            i => SkillOf(RatingRecord.Parser.ParseFrom(i.Value.Span)),
            StringComparer.Ordinal);
        var snapshots = await accounts.GetSnapshotsAsync(ids, cancellationToken);
        return new TicketRecord
        {
            TicketId = ticketId,
            GameMode = request.GameMode,
            ConfigurationName = configuration.Name,
            RequestedBy = request.RequestedBy,
            PartyId = request.PartyId,
            ClientRequestId = request.ClientRequestId,
            Members =
            [
                .. request.Members.Select(m => new TicketMember
                {
                    AccountId = m.AccountId,
                    Nickname = snapshots.GetValueOrDefault(m.AccountId)?.Nickname ?? string.Empty,
                    Skill = skills.TryGetValue(m.AccountId, out var skill) ? skill : DefaultSkill(),
                    LatencyMs = new Dictionary<string, int>(m.LatencyMs, StringComparer.Ordinal),
                }),
            ],
            CreatedAt = now,
            LiveUntil = LiveUntil(configuration, now),
        };
    }

    private long SkillOf(RatingRecord record) =>
        record.Sigma > 0 ? (long)SkillAttribute.FromRating(new PlayerRating(record.Mu, record.Sigma)) : DefaultSkill();

    /// <summary>Skill of a player with no rating yet: a new player's rating (the rating model's μ and σ, <c>MetaServer:Matches:Rating</c>).</summary>
    private long DefaultSkill() => (long)SkillAttribute.FromRating(new PlayerRating(ratingOptions.Value.Mu, ratingOptions.Value.Sigma));

    private DateTimeOffset LiveUntil(MatchmakingConfiguration configuration, DateTimeOffset now) =>
        now + TimeSpan.FromSeconds(configuration.RequestTimeoutSeconds + (configuration.AcceptanceTimeoutSeconds ?? 0)) + options.Value.EventGrace;

    private static MatchmakingTicketRequest ToMatchmakerRequest(TicketRecord ticket, MatchmakingDefinition definition)
    {
        var declared = definition.RuleSet.PlayerAttributes.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var players = ticket.Members.Select(m =>
        {
            var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
            if (declared.Contains(SkillAttribute.AttributeName))
            {
                attributes[SkillAttribute.AttributeName] = new NumberAttributeValue(m.Skill);
            }

            if (declared.Contains(GameModeAttribute))
            {
                attributes[GameModeAttribute] = new StringAttributeValue(ticket.GameMode);
            }

            return new MatchmakingPlayer(m.AccountId, attributes, m.LatencyMs);
        }).ToList();
        return new MatchmakingTicketRequest(ticket.TicketId, ticket.ConfigurationName, players);
    }

    /// <summary>The rule-set player attribute filled with the game mode id, when the rule set declares it.</summary>
    public const string GameModeAttribute = "gameMode";

    private static IReadOnlyList<string> Others(TicketRecord ticket, string accountId) =>
        [.. ticket.Members.Select(m => m.AccountId).Where(id => id != accountId)];

    private static string NameOf(TicketRecord ticket, string accountId) =>
        ticket.Members.Find(m => m.AccountId == accountId) is { Nickname.Length: > 0 } member ? member.Nickname : "a player";

    private static string Who(string accountId) => $"Player {accountId} is";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Matchmaker refused a call for ticket {TicketId}: {Code}")]
    private partial void LogMatchmakerRefused(Exception exception, string ticketId, MatchmakerErrorCode code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed ticket {TicketId} was already submitted by an earlier attempt")]
    private partial void LogResumedDuplicate(string ticketId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disconnect of an old session of player {AccountId} ignored: a newer session is live")]
    private partial void LogDisconnectIgnored(string accountId);
}
