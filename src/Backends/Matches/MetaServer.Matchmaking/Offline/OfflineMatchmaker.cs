using System.Collections.Immutable;
using System.Text.RegularExpressions;
using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Messaging;
using Microsoft.Extensions.Logging;

namespace MetaServer.Matchmaking.Offline;

/// <summary>Status of an offline ticket: GameLift's MatchmakingTicket statuses.</summary>
public enum OfflineTicketStatus
{
    Queued,
    Searching,
    RequiresAcceptance,
    Placing,
    Completed,
    Failed,
    Cancelled,
    TimedOut,
}

/// <summary>
/// The offline FlexMatch-compatible matchmaker: one ticket pool per matchmaking configuration of the
/// <see cref="MatchmakingCatalog"/>, matched by the configuration's <see cref="IMatchBuilder"/>, with GameLift's ticket
/// lifecycle (QUEUED → SEARCHING → REQUIRES_ACCEPTANCE → PLACING → COMPLETED / FAILED / CANCELLED / TIMED_OUT). Every
/// transition is published as GameLift's event JSON (<see cref="MatchmakingEventWriter"/>) on the events queue, in the
/// order it happened. Time moves only in <see cref="TickAsync"/> (run by <see cref="OfflineMatchmakerService"/> every
/// <see cref="OfflineMatchmakerOptions.TickInterval"/>): queued tickets start searching, acceptance and request
/// time-outs fire, then the builders propose matches. There is no GameLift game session queue offline: a match is
/// "placed" at once on a synthetic game session (see <see cref="GameSessionArn"/>) with one synthetic player session id
/// per player and no address; the matches service hands the match to a game server itself. Backfill (MANUAL) is
/// accepted in configurations but backfill requests are not implemented offline (the seam has no such call).
/// Thread-safe.
/// </summary>
public sealed partial class OfflineMatchmaker : IMatchmaker
{
    public const int MaxPlayersPerTicket = 10;

    private const string TimedOutMessage = "Removed from matchmaking due to timing out.";
    private const string CancelledMessage = "Cancelled by request.";
    private const string RejectedMessage = "Cancelled: a player rejected the proposed match.";
    private const string AcceptanceTimedOutMessage = "Cancelled: a player did not accept the proposed match in time.";

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly List<MatchmakingEvent> _outbox = [];

    // Event times strictly increase (by at least 1 ms, the resolution of the event JSON), so a consumer that applies
    // events by time sees the emission order even when one tick emits several events for a ticket.
    private DateTimeOffset _lastEventTime = DateTimeOffset.MinValue;
    private readonly Dictionary<string, Ticket> _tickets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _livePlayers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingMatch> _pendingMatches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pool> _pools = new(StringComparer.Ordinal);
    private readonly IMessageTransport _transport;
    private readonly OfflineMatchmakerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <exception cref="RuleSetException">A configuration's rule set uses something the builder does not support.</exception>
    public OfflineMatchmaker(
        MatchmakingCatalog catalog,
        IMatchBuilderFactory builders,
        IMessageTransport transport,
        string eventsQueueName,
        OfflineMatchmakerOptions options,
        TimeProvider timeProvider,
        ILogger<OfflineMatchmaker> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(builders);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventsQueueName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _transport = transport;
        EventsQueueName = eventsQueueName;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        foreach (var (name, definition) in catalog.Definitions)
        {
            var arn = $"arn:aws:gamelift:{options.Region}:{options.Account}:matchmakingconfiguration/{name}";
            _pools[name] = new Pool(definition.Configuration, builders.Create(definition.RuleSet), arn);
        }
    }

    /// <summary>The queue the events are sent to.</summary>
    public string EventsQueueName { get; }

    /// <summary>The ARN written for the synthetic game session of a match.</summary>
    public string GameSessionArn(string matchId) => $"arn:aws:gamelift:{_options.Region}:{_options.Account}:gamesession/offline/{matchId}";

    /// <summary>The ticket's status, or null when unknown (never submitted, or ended longer ago than the retention).</summary>
    public OfflineTicketStatus? GetTicketStatus(string ticketId)
    {
        lock (_gate)
        {
            return _tickets.TryGetValue(ticketId, out var ticket) ? ticket.Status : null;
        }
    }

    public async Task StartMatchmakingAsync(MatchmakingTicketRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.TicketId) || request.TicketId.Length > 128 || !IdPattern().IsMatch(request.TicketId))
        {
            throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, "TicketId must be 1-128 characters of letters, digits, '-' and '.'.");
        }

        if (request.Players is null || request.Players.Count is 0 or > MaxPlayersPerTicket)
        {
            throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, $"A ticket has 1 to {MaxPlayersPerTicket} players (found {request.Players?.Count ?? 0}).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var player in request.Players)
        {
            if (player is null || string.IsNullOrEmpty(player.PlayerId) || player.PlayerId.Length > 1024)
            {
                throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, "Every player needs a PlayerId of 1-1024 characters.");
            }

            if (!seen.Add(player.PlayerId))
            {
                throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, $"Player '{player.PlayerId}' appears more than once in the ticket.");
            }
        }

        lock (_gate)
        {
            if (!_pools.TryGetValue(request.ConfigurationName ?? string.Empty, out var pool))
            {
                throw new MatchmakerException(MatchmakerErrorCode.NotFound, $"Matchmaking configuration '{request.ConfigurationName}' does not exist.");
            }

            if (_tickets.ContainsKey(request.TicketId))
            {
                throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, $"A ticket with id '{request.TicketId}' already exists.");
            }

            foreach (var player in request.Players)
            {
                if (_livePlayers.TryGetValue(player.PlayerId, out var other))
                {
                    throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, $"Player '{player.PlayerId}' is already on ticket '{other}', which has not ended.");
                }
            }

            var ticket = new Ticket(request.TicketId, pool, _time.GetUtcNow(), [.. request.Players]);
            _tickets.Add(ticket.Id, ticket);
            foreach (var player in ticket.Players)
            {
                _livePlayers[player.PlayerId] = ticket.Id;
            }
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopMatchmakingAsync(string ticketId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        lock (_gate)
        {
            if (_tickets.TryGetValue(ticketId, out var ticket))
            {
                var now = _time.GetUtcNow();
                switch (ticket.Status)
                {
                    case OfflineTicketStatus.Queued or OfflineTicketStatus.Searching:
                        Cancel(ticket, CancelledMessage, now);
                        break;
                    case OfflineTicketStatus.RequiresAcceptance:
                        // Stopping a ticket waiting for acceptance drops the proposed match as a rejection would.
                        var match = ticket.Match!;
                        foreach (var player in ticket.Players)
                        {
                            match.Answers[player.PlayerId] = false;
                        }

                        DropMatch(match, MatchAcceptanceOutcome.Rejected, now, stoppedTicket: ticket);
                        break;
                    default:
                        break;
                }
            }
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task AcceptMatchAsync(string ticketId, IReadOnlyList<string> playerIds, bool accept, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        ArgumentNullException.ThrowIfNull(playerIds);
        if (playerIds.Count == 0)
        {
            throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, "AcceptMatch needs at least one player id.");
        }

        lock (_gate)
        {
            if (!_tickets.TryGetValue(ticketId, out var ticket))
            {
                throw new MatchmakerException(MatchmakerErrorCode.NotFound, $"Ticket '{ticketId}' does not exist.");
            }

            if (ticket.Status != OfflineTicketStatus.RequiresAcceptance || ticket.Match is not { } match)
            {
                throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, $"Ticket '{ticketId}' is {ticket.Status}, not waiting for acceptance.");
            }

            foreach (var playerId in playerIds)
            {
                if (!ticket.Players.Any(p => p.PlayerId == playerId))
                {
                    throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, $"Player '{playerId}' is not on ticket '{ticketId}'.");
                }
            }

            var now = _time.GetUtcNow();
            foreach (var playerId in playerIds)
            {
                match.Answers[playerId] = accept;
            }

            Emit(match.Pool, MatchmakingEventType.AcceptMatch, now, MatchTickets(match, withAnswers: true), e => e with
            {
                MatchId = match.MatchId,
                GameSessionInfo = MatchSession(match, null),
            });

            if (!accept)
            {
                DropMatch(match, MatchAcceptanceOutcome.Rejected, now, stoppedTicket: null);
            }
            else if (match.Tickets.All(t => t.Players.All(p => match.Answers.TryGetValue(p.PlayerId, out var a) && a)))
            {
                _pendingMatches.Remove(match.MatchId);
                Emit(match.Pool, MatchmakingEventType.AcceptMatchCompleted, now, MatchTickets(match, withAnswers: false), e => e with
                {
                    MatchId = match.MatchId,
                    Acceptance = MatchAcceptanceOutcome.Accepted,
                    GameSessionInfo = MatchSession(match, null),
                });
                Place(match, now);
            }
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One evaluation of every pool at the clock's current time: queued tickets start searching, expired acceptances
    /// are dropped, tickets past the configuration's request timeout end TIMED_OUT, then each builder proposes matches
    /// among the searching tickets; finally the events are sent. Deterministic for a given clock and builder.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var ticket in _tickets.Values.Where(t => t.Status == OfflineTicketStatus.Queued).OrderBy(t => t.StartTime).ToList())
            {
                StartSearching(ticket, now);
            }

            foreach (var match in _pendingMatches.Values.Where(m => m.Deadline <= now).OrderBy(m => m.Deadline).ToList())
            {
                DropMatch(match, MatchAcceptanceOutcome.TimedOut, now, stoppedTicket: null);
            }

            foreach (var ticket in _tickets.Values
                .Where(t => t.Status == OfflineTicketStatus.Searching && t.StartTime.AddSeconds(t.Pool.Configuration.RequestTimeoutSeconds) <= now)
                .OrderBy(t => t.StartTime).ToList())
            {
                End(ticket, OfflineTicketStatus.TimedOut, now);
                Emit(ticket.Pool, MatchmakingEventType.MatchmakingTimedOut, now, [TicketView(ticket, null, withSession: false)], e => e with
                {
                    Reason = "TimedOut",
                    Message = TimedOutMessage,
                    GameSessionInfo = TicketSession(ticket),
                });
            }

            foreach (var pool in _pools.Values)
            {
                MatchPool(pool, now, cancellationToken);
            }

            foreach (var ended in _tickets.Values.Where(t => t.EndedAt is { } endedAt && endedAt + _options.EndedTicketRetention <= now).Select(t => t.Id).ToList())
            {
                _tickets.Remove(ended);
            }
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void MatchPool(Pool pool, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var searching = _tickets.Values.Where(t => t.Pool == pool && t.Status == OfflineTicketStatus.Searching).OrderBy(t => t.StartTime).ToList();
        if (searching.Count == 0)
        {
            return;
        }

        List<(ProposedMatch Proposal, List<Ticket> Tickets, Dictionary<string, string> Teams)> accepted;
        try
        {
            var proposals = pool.Builder.FindMatches(
                searching.ConvertAll(t => new PoolTicket(t.Id, t.StartTime, t.Players)), now, cancellationToken);
            accepted = Validate(proposals, searching);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            MatchmakingLog.BuilderFailed(_logger, pool.Configuration.Name, searching.Count, ex);
            foreach (var ticket in searching)
            {
                End(ticket, OfflineTicketStatus.Failed, now);
                Emit(pool, MatchmakingEventType.MatchmakingFailed, now, [TicketView(ticket, null, withSession: false)], e => e with
                {
                    Reason = "UNEXPECTED_ERROR",
                    Message = "An unexpected error was encountered during matchmaking.",
                    GameSessionInfo = TicketSession(ticket),
                });
            }

            return;
        }

        foreach (var (_, tickets, teams) in accepted)
        {
            var match = new PendingMatch(Guid.NewGuid().ToString(), pool, tickets, teams, pool.Configuration.AcceptanceRequired
                ? now.AddSeconds(pool.Configuration.AcceptanceTimeoutSeconds!.Value)
                : DateTimeOffset.MaxValue);
            foreach (var ticket in tickets)
            {
                ticket.Match = match;
            }

            Emit(pool, MatchmakingEventType.PotentialMatchCreated, now, MatchTickets(match, withAnswers: false), e => e with
            {
                MatchId = match.MatchId,
                AcceptanceRequired = pool.Configuration.AcceptanceRequired,
                AcceptanceTimeout = pool.Configuration.AcceptanceTimeoutSeconds,
                GameSessionInfo = MatchSession(match, null),
            });
            if (pool.Configuration.AcceptanceRequired)
            {
                foreach (var ticket in tickets)
                {
                    ticket.Status = OfflineTicketStatus.RequiresAcceptance;
                }

                _pendingMatches.Add(match.MatchId, match);
            }
            else
            {
                Place(match, now);
            }
        }
    }

    /// <summary>Checks the builder's proposals against the pool: each a set of searching tickets, used once, every player on exactly one team.</summary>
    private static List<(ProposedMatch, List<Ticket>, Dictionary<string, string>)> Validate(IReadOnlyList<ProposedMatch> proposals, List<Ticket> searching)
    {
        var byId = searching.ToDictionary(t => t.Id, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(ProposedMatch, List<Ticket>, Dictionary<string, string>)>();
        foreach (var proposal in proposals)
        {
            if (proposal.TicketIds.IsDefaultOrEmpty)
            {
                throw new InvalidOperationException("The match builder proposed a match without tickets.");
            }

            var tickets = new List<Ticket>();
            foreach (var id in proposal.TicketIds)
            {
                if (!byId.TryGetValue(id, out var ticket) || !used.Add(id))
                {
                    throw new InvalidOperationException($"The match builder proposed ticket '{id}', which is not searching or is in another proposal.");
                }

                tickets.Add(ticket);
            }

            var teams = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var team in proposal.Teams)
            {
                foreach (var playerId in team.PlayerIds)
                {
                    if (!teams.TryAdd(playerId, team.Name))
                    {
                        throw new InvalidOperationException($"The match builder put player '{playerId}' on more than one team.");
                    }
                }
            }

            var players = tickets.SelectMany(t => t.Players).Select(p => p.PlayerId).ToHashSet(StringComparer.Ordinal);
            if (!players.SetEquals(teams.Keys))
            {
                throw new InvalidOperationException("The match builder's teams do not hold exactly the players of the proposed tickets.");
            }

            result.Add((proposal, tickets, teams));
        }

        return result;
    }

    private void StartSearching(Ticket ticket, DateTimeOffset now)
    {
        ticket.Status = OfflineTicketStatus.Searching;
        ticket.Match = null;
        Emit(ticket.Pool, MatchmakingEventType.MatchmakingSearching, now, [TicketView(ticket, null, withSession: false)], e => e with
        {
            GameSessionInfo = TicketSession(ticket),
        });
    }

    /// <summary>
    /// Drops a proposed match (rejection or acceptance time-out), as GameLift documents for AcceptMatch: a ticket whose
    /// players all accepted returns to SEARCHING; a ticket with a player who rejected or did not answer ends CANCELLED.
    /// </summary>
    private void DropMatch(PendingMatch match, MatchAcceptanceOutcome outcome, DateTimeOffset now, Ticket? stoppedTicket)
    {
        _pendingMatches.Remove(match.MatchId);
        Emit(match.Pool, MatchmakingEventType.AcceptMatchCompleted, now, MatchTickets(match, withAnswers: false), e => e with
        {
            MatchId = match.MatchId,
            Acceptance = outcome,
            GameSessionInfo = MatchSession(match, null),
        });
        foreach (var ticket in match.Tickets)
        {
            if (ticket == stoppedTicket)
            {
                Cancel(ticket, CancelledMessage, now);
            }
            else if (ticket.Players.All(p => match.Answers.TryGetValue(p.PlayerId, out var a) && a))
            {
                StartSearching(ticket, now);
            }
            else
            {
                Cancel(ticket, outcome == MatchAcceptanceOutcome.TimedOut ? AcceptanceTimedOutMessage : RejectedMessage, now);
            }
        }
    }

    private void Cancel(Ticket ticket, string message, DateTimeOffset now)
    {
        End(ticket, OfflineTicketStatus.Cancelled, now);
        Emit(ticket.Pool, MatchmakingEventType.MatchmakingCancelled, now, [TicketView(ticket, null, withSession: false)], e => e with
        {
            Reason = "Cancelled",
            Message = message,
            GameSessionInfo = TicketSession(ticket),
        });
    }

    /// <summary>PLACING then, offline, COMPLETED at once on a synthetic game session.</summary>
    private void Place(PendingMatch match, DateTimeOffset now)
    {
        var sessions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var ticket in match.Tickets)
        {
            ticket.Status = OfflineTicketStatus.Placing;
            foreach (var player in ticket.Players)
            {
                sessions[player.PlayerId] = "psess-" + Guid.NewGuid().ToString();
            }
        }

        foreach (var ticket in match.Tickets)
        {
            End(ticket, OfflineTicketStatus.Completed, now);
        }

        Emit(match.Pool, MatchmakingEventType.MatchmakingSucceeded, now, [.. match.Tickets.Select(t => TicketView(t, match, withSession: true, sessions))], e => e with
        {
            MatchId = match.MatchId,
            GameSessionInfo = MatchSession(match, sessions) with { GameSessionArn = GameSessionArn(match.MatchId) },
        });
    }

    private void End(Ticket ticket, OfflineTicketStatus status, DateTimeOffset now)
    {
        ticket.Status = status;
        ticket.EndedAt = now;
        foreach (var player in ticket.Players)
        {
            if (_livePlayers.TryGetValue(player.PlayerId, out var id) && id == ticket.Id)
            {
                _livePlayers.Remove(player.PlayerId);
            }
        }
    }

    private List<MatchmakingEventTicket> MatchTickets(PendingMatch match, bool withAnswers) =>
        [.. match.Tickets.Select(t => TicketView(t, match, withSession: false, null, withAnswers))];

    private static MatchmakingEventTicket TicketView(
        Ticket ticket, PendingMatch? match, bool withSession, Dictionary<string, string>? sessions = null, bool withAnswers = false) => new()
        {
            TicketId = ticket.Id,
            StartTime = ticket.StartTime,
            Players = [.. ticket.Players.Select(p => new MatchmakingEventPlayer
            {
                PlayerId = p.PlayerId,
                Team = match?.Teams[p.PlayerId],
                PlayerSessionId = withSession ? sessions?[p.PlayerId] : null,
                Accepted = withAnswers && match!.Answers.TryGetValue(p.PlayerId, out var answer) ? answer : null,
            })],
        };

    private static MatchmakingEventGameSession TicketSession(Ticket ticket) => new()
    {
        Players = [.. ticket.Players.Select(p => new MatchmakingEventPlayer { PlayerId = p.PlayerId })],
    };

    private static MatchmakingEventGameSession MatchSession(PendingMatch match, Dictionary<string, string>? sessions) => new()
    {
        Players = [.. match.Tickets.SelectMany(t => t.Players).Select(p => new MatchmakingEventPlayer
        {
            PlayerId = p.PlayerId,
            Team = match.Teams[p.PlayerId],
            PlayerSessionId = sessions?[p.PlayerId],
        })],
    };

    private void Emit(Pool pool, MatchmakingEventType type, DateTimeOffset now, IReadOnlyList<MatchmakingEventTicket> tickets, Func<MatchmakingEvent, MatchmakingEvent> fill)
    {
        var time = now > _lastEventTime.AddMilliseconds(1) ? now : _lastEventTime.AddMilliseconds(1);
        _lastEventTime = time;
        _outbox.Add(fill(new MatchmakingEvent
        {
            Type = type,
            EventId = Guid.NewGuid().ToString(),
            Time = time,
            Region = _options.Region,
            Account = _options.Account,
            Resources = [pool.Arn],
            Tickets = tickets,
            CustomEventData = pool.Configuration.CustomEventData,
        }));
    }

    /// <summary>Sends the pending events in order. A failed send keeps the rest for the next flush (the next tick at the latest).</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            while (true)
            {
                MatchmakingEvent next;
                lock (_gate)
                {
                    if (_outbox.Count == 0)
                    {
                        return;
                    }

                    next = _outbox[0];
                }

                try
                {
                    await _transport.SendAsync(EventsQueueName, MatchmakingEventWriter.WriteUtf8(next), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    int count;
                    lock (_gate)
                    {
                        count = _outbox.Count;
                    }

                    MatchmakingLog.SendFailed(_logger, count, EventsQueueName, ex);
                    return;
                }

                lock (_gate)
                {
                    _outbox.RemoveAt(0);
                }
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    [GeneratedRegex(@"^[a-zA-Z0-9\-\.]+$")]
    private static partial Regex IdPattern();

    private sealed record Pool(MatchmakingConfiguration Configuration, IMatchBuilder Builder, string Arn);

    private sealed class Ticket(string id, Pool pool, DateTimeOffset startTime, ImmutableArray<MatchmakingPlayer> players)
    {
        public string Id { get; } = id;

        public Pool Pool { get; } = pool;

        public DateTimeOffset StartTime { get; } = startTime;

        public ImmutableArray<MatchmakingPlayer> Players { get; } = players;

        public OfflineTicketStatus Status { get; set; } = OfflineTicketStatus.Queued;

        public DateTimeOffset? EndedAt { get; set; }

        public PendingMatch? Match { get; set; }
    }

    private sealed class PendingMatch(string matchId, Pool pool, List<Ticket> tickets, Dictionary<string, string> teams, DateTimeOffset deadline)
    {
        public string MatchId { get; } = matchId;

        public Pool Pool { get; } = pool;

        public List<Ticket> Tickets { get; } = tickets;

        public Dictionary<string, string> Teams { get; } = teams;

        public DateTimeOffset Deadline { get; } = deadline;

        public Dictionary<string, bool> Answers { get; } = new(StringComparer.Ordinal);
    }
}
