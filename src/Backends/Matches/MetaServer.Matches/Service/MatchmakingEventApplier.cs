using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using MetaServer.Hosting;
using MetaServer.Matches.Abandon;
using MetaServer.Matches.Accounts;
using MetaServer.Matches.Storage;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Service;

/// <summary>
/// Applies FlexMatch matchmaking events to the ticket records and pushes a <see cref="MatchmakingUpdateEvent"/> to every
/// player of a changed ticket. Idempotent and tolerant of redelivery and reordering: an event id is applied once, an
/// event older than the last applied one is ignored and an ended ticket stays ended (except that MatchmakingSucceeded,
/// the matchmaker's final word, completes a ticket cancelled here meanwhile).
/// <para>
/// MatchmakingSucceeded hands the match off: the <see cref="MatchRecord"/> is created once (conditional create of
/// <c>match#id</c>; a redelivery reuses the stored one), empty slots get bots, the <see cref="GameServerMatch"/> goes to
/// the per-match queue and a <see cref="GameServerPlacement"/> to the placement queue, the players are marked in the
/// match, and only then the tickets COMPLETED: a delivery that finds every ticket completed sends nothing again.
/// The match is put on the <see cref="OpenMatchIndex"/> before it is sent, so the abandon sweeper finds it if it
/// never starts or never reports a result.
/// </para>
/// </summary>
internal sealed partial class MatchmakingEventApplier(
    FlowStore store,
    PlayerPushes pushes,
    OpenMatchIndex openMatches,
    IMatchAccountReader accounts,
    IMessageTransport transport,
    QueueNames queueNames,
    GameConfig.GameConfig config,
    MatchmakingCatalog catalog,
    IOptions<MatchesOptions> options,
    IOptions<MetaServerOptions> coreOptions,
    TimeProvider timeProvider,
    ILogger<MatchmakingEventApplier> logger) : IMatchmakingEventHandler
{
    private const int MaxAppliedEventIds = 32;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(MatchmakingEvent matchmakingEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchmakingEvent);
        if (matchmakingEvent.Type == MatchmakingEventType.MatchmakingSucceeded)
        {
            return await HandOffAsync(matchmakingEvent, cancellationToken);
        }

        var outgoing = new List<OutgoingMessage>();
        foreach (var eventTicket in matchmakingEvent.Tickets)
        {
            var (ticket, changed) = await store.MutateTicketAsync(eventTicket.TicketId, t => Apply(t, matchmakingEvent, eventTicket), cancellationToken);
            if (ticket is null)
            {
                LogUnknownTicket(eventTicket.TicketId, matchmakingEvent.Type);
                continue;
            }

            if (changed)
            {
                outgoing.AddRange(await pushes.UpdatesAsync(ticket, [.. ticket.Members.Select(m => m.AccountId)], null, cancellationToken));
                outgoing.AddRange(pushes.Activity(ticket));
            }
        }

        return outgoing;
    }

    internal static TicketRecord? Apply(TicketRecord ticket, MatchmakingEvent e, MatchmakingEventTicket eventTicket)
    {
        if (ticket.IsEnded || ticket.AppliedEventIds.Contains(e.EventId) || (ticket.LastEventTime is { } last && e.Time < last))
        {
            return null;
        }

        var applied = ticket.AppliedEventIds.Append(e.EventId).TakeLast(MaxAppliedEventIds).ToList();
        var next = ticket with { Submitted = true, LastEventTime = e.Time, AppliedEventIds = applied };
        var answers = eventTicket.Players.Where(p => p.Accepted is not null).ToDictionary(p => p.PlayerId, p => p.Accepted == true, StringComparer.Ordinal);
        switch (e.Type)
        {
            case MatchmakingEventType.MatchmakingSearching:
                return next with
                {
                    State = MatchmakingState.Searching,
                    EstimatedWaitSeconds = e.EstimatedWaitMillis is { } wait ? (int)Math.Min(int.MaxValue, wait / 1000) : 0,
                    AcceptanceDeadline = null,
                    MatchId = null,
                    Members = [.. ticket.Members.Select(m => m with { Accepted = false, Team = null })],
                };
            case MatchmakingEventType.PotentialMatchCreated:
                var teams = (e.GameSessionInfo?.Players ?? []).Where(p => p.Team is not null).ToDictionary(p => p.PlayerId, p => p.Team, StringComparer.Ordinal);
                var members = ticket.Members.Select(m => m with { Accepted = false, Team = teams.GetValueOrDefault(m.AccountId) }).ToList();
                return e.AcceptanceRequired == true
                    ? next with
                    {
                        State = MatchmakingState.RequiresAcceptance,
                        MatchId = e.MatchId,
                        AcceptanceDeadline = e.Time + TimeSpan.FromSeconds(e.AcceptanceTimeout ?? 0),
                        Members = members,
                    }
                    : next with { State = MatchmakingState.Placing, MatchId = e.MatchId, Members = members };
            case MatchmakingEventType.AcceptMatch:
                return next with
                {
                    Members = [.. ticket.Members.Select(m => answers.TryGetValue(m.AccountId, out var accepted) ? m with { Accepted = accepted } : m)],
                };
            case MatchmakingEventType.AcceptMatchCompleted:
                if (e.Acceptance == MatchAcceptanceOutcome.Accepted)
                {
                    return next with { State = MatchmakingState.Placing };
                }

                var everyoneAccepted = ticket.Members.All(m => answers.TryGetValue(m.AccountId, out var accepted) ? accepted : m.Accepted);
                return everyoneAccepted
                    ? next with { State = MatchmakingState.Searching, AcceptanceDeadline = null, MatchId = null }
                    : next with
                    {
                        State = MatchmakingState.Cancelled,
                        Reason = e.Acceptance == MatchAcceptanceOutcome.TimedOut
                            ? "Not every player accepted the match in time."
                            : "A player on the ticket rejected the match.",
                    };
            case MatchmakingEventType.MatchmakingTimedOut:
                return next with { State = MatchmakingState.TimedOut, Reason = "No match was found in time." };
            case MatchmakingEventType.MatchmakingCancelled:
                return next with { State = MatchmakingState.Cancelled, Reason = ticket.Reason ?? "The ticket was cancelled." };
            case MatchmakingEventType.MatchmakingFailed:
                return next with { State = MatchmakingState.Failed, Reason = "Matchmaking failed: " + (e.Reason ?? "unknown reason") + "." };
            default:
                return null;
        }
    }

    private async Task<IReadOnlyList<OutgoingMessage>> HandOffAsync(MatchmakingEvent e, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(e.MatchId))
        {
            LogSucceededWithoutMatch(e.EventId);
            return [];
        }

        var matchId = e.MatchId;
        var tickets = new List<TicketRecord>();
        foreach (var eventTicket in e.Tickets)
        {
            var (ticket, _) = await store.GetTicketAsync(eventTicket.TicketId, cancellationToken);
            if (ticket is null)
            {
                LogUnknownTicket(eventTicket.TicketId, e.Type);
            }
            else
            {
                tickets.Add(ticket);
            }
        }

        if (tickets.Count == 0)
        {
            return [];
        }

        if (tickets.TrueForAll(t => t.State == MatchmakingState.Completed && t.MatchId == matchId))
        {
            LogAlreadyHandedOff(matchId);
            return [];
        }

        var match = await store.GetMatchAsync(matchId, cancellationToken);
        if (match is null)
        {
            var built = await BuildMatchAsync(matchId, e, tickets, cancellationToken);
            var created = await store.Store.TryWriteAsync(MatchStoreKeys.Match(matchId), built.ToByteArray(), 0, null, cancellationToken);
            match = created is not null ? built : await store.GetMatchAsync(matchId, cancellationToken)
                ?? throw new MatchStoreConflictException($"Match {matchId} could not be created nor read.");
        }

        // Indexed before the game servers see it, so a match handed off is always found when it becomes overdue.
        await openMatches.TrackAsync(match, cancellationToken);
        await SendToGameServerAsync(match, cancellationToken);

        var now = timeProvider.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(match.CreatedAtUnixMs) + options.Value.MaxMatchDuration;
        var teamOf = match.Teams.SelectMany(t => t.Players.Where(p => !p.Bot).Select(p => (p.PlayerId, Team: t.Name)))
            .ToDictionary(p => p.PlayerId, p => p.Team, StringComparer.Ordinal);
        foreach (var ticket in tickets)
        {
            foreach (var member in ticket.Members)
            {
                await store.MutatePlayerAsync(
                    member.AccountId,
                    p => p.MatchId == matchId ? null : new PlayerRecord { TicketId = ticket.TicketId, MatchId = matchId, MatchExpiresAt = expires },
                    cancellationToken);
            }
        }

        var outgoing = new List<OutgoingMessage>();
        foreach (var ticket in tickets)
        {
            var (completed, changed) = await store.MutateTicketAsync(
                ticket.TicketId,
                t => t.State == MatchmakingState.Completed && t.MatchId == matchId ? null : t with
                {
                    State = MatchmakingState.Completed,
                    Submitted = true,
                    MatchId = matchId,
                    Map = match.Map,
                    Reason = null,
                    LastEventTime = e.Time,
                    AppliedEventIds = [.. t.AppliedEventIds.Append(e.EventId).TakeLast(MaxAppliedEventIds)],
                    Members = [.. t.Members.Select(m => m with { Team = teamOf.GetValueOrDefault(m.AccountId) })],
                },
                cancellationToken);
            if (completed is not null && changed)
            {
                outgoing.AddRange(await pushes.UpdatesAsync(completed, [.. completed.Members.Select(m => m.AccountId)], match, cancellationToken));
                outgoing.AddRange(pushes.Activity(completed));
            }
        }

        LogHandedOff(matchId, match.GameMode, match.Map, now);
        return outgoing;
    }

    /// <summary>
    /// Creates the per-match queue and sends the <see cref="GameServerMatch"/> there, unless an earlier delivery already
    /// did (the queue holds it), then the <see cref="GameServerPlacement"/>.
    /// </summary>
    private async Task SendToGameServerAsync(MatchRecord match, CancellationToken cancellationToken)
    {
        var matchQueue = match.MatchQueue;
        var retention = TimeSpan.FromTicks(Math.Clamp(options.Value.MaxMatchDuration.Ticks, TimeSpan.FromMinutes(1).Ticks, TimeSpan.FromDays(14).Ticks));
        await transport.CreateQueueAsync(matchQueue, new QueueSettings { MessageRetention = retention }, cancellationToken);
        var counts = await transport.GetQueueCountsAsync(matchQueue, cancellationToken);
        if (counts.Visible + counts.InFlight == 0)
        {
            await transport.SendAsync(matchQueue, Encode(MessageTypes.GameServerMatch, ToGameServerMatch(match).ToByteArray()), cancellationToken);
        }

        var placementQueue = queueNames.ForMessageType(MessageTypes.GameServerPlacement);
        if (!await transport.QueueExistsAsync(placementQueue, cancellationToken))
        {
            await transport.CreateQueueAsync(placementQueue, new QueueSettings(), cancellationToken);
        }

        var placement = new GameServerPlacement { MatchId = match.MatchId, MatchQueue = matchQueue, GameMode = match.GameMode };
        await transport.SendAsync(placementQueue, Encode(MessageTypes.GameServerPlacement, placement.ToByteArray()), cancellationToken);
    }

    private byte[] Encode(string messageType, byte[] payload) => EnvelopeCodec.Encode(new MessageEnvelope
    {
        MessageType = messageType,
        MessageId = Guid.NewGuid().ToString("N"),
        DeploymentVersion = coreOptions.Value.DeploymentVersion,
        SentAt = timeProvider.GetUtcNow(),
        Payload = payload,
    });

    private GameServerMatch ToGameServerMatch(MatchRecord match)
    {
        var result = new GameServerMatch
        {
            MatchId = match.MatchId,
            GameMode = match.GameMode,
            Map = match.Map,
            MatchmakingConfiguration = match.MatchmakingConfiguration,
            ResultsQueue = queueNames.ForMessageType(MessageTypes.MatchesGameServerReport),
            DeploymentVersion = coreOptions.Value.DeploymentVersion,
            CreatedAtUnixMs = match.CreatedAtUnixMs,
        };
        if (catalog.Find(match.MatchmakingConfiguration) is { } definition)
        {
            foreach (var property in definition.Configuration.GameProperties)
            {
                result.GameProperties[property.Key] = property.Value;
            }
        }

        result.Teams.AddRange(match.Teams);
        return result;
    }

    private async Task<MatchRecord> BuildMatchAsync(string matchId, MatchmakingEvent e, List<TicketRecord> tickets, CancellationToken cancellationToken)
    {
        var first = tickets[0];
        var mode = config.FindGameMode(first.GameMode)
            ?? throw new InvalidOperationException($"Game mode '{first.GameMode}' of ticket {first.TicketId} is not in the game config.");
        var modeOptions = options.Value.GameModes.GetValueOrDefault(mode.Id);
        var maps = modeOptions?.Maps is { Count: > 0 } list ? list : [mode.Id];
        var map = maps[(int)(StableHash(matchId) % (uint)maps.Count)];

        var members = tickets.SelectMany(t => t.Members.Select(m => (Ticket: t, Member: m))).ToList();
        var snapshots = await accounts.GetSnapshotsAsync([.. members.Select(m => m.Member.AccountId)], cancellationToken);
        var eventTeams = (e.GameSessionInfo?.Players ?? [])
            .Concat(e.Tickets.SelectMany(t => t.Players))
            .Where(p => p.Team is not null)
            .GroupBy(p => p.PlayerId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Team!, StringComparer.Ordinal);

        var humans = members.Select(m =>
        {
            var snapshot = snapshots.GetValueOrDefault(m.Member.AccountId);
            var participant = new MatchParticipant
            {
                PlayerId = m.Member.AccountId,
                Nickname = snapshot?.Nickname ?? m.Member.Nickname,
                Level = snapshot?.Level ?? 1,
                Loadout = snapshot?.Loadout ?? StartingLoadout(),
                Skill = m.Member.Skill,
                TicketId = m.Ticket.TicketId,
            };
            if (snapshot is not null)
            {
                participant.Account = snapshot;
            }

            return (Participant: participant, Team: eventTeams.GetValueOrDefault(m.Member.AccountId));
        }).ToList();

        var teams = LayOutTeams(mode, humans, catalog.Find(first.ConfigurationName)?.RuleSet.Teams.Select(t => t.Name).ToList() ?? []);
        var fill = modeOptions?.FillWithBots ?? mode.FillWithBots;
        if (fill && humans.Count > 0)
        {
            var skill = (long)Math.Round(humans.Average(h => h.Participant.Skill), MidpointRounding.AwayFromZero);
            var level = (int)Math.Round(humans.Average(h => h.Participant.Level), MidpointRounding.AwayFromZero);
            var names = options.Value.EffectiveBotNicknames;
            var botNumber = 0;
            foreach (var team in teams)
            {
                while (team.Players.Count < mode.PlayersPerTeam)
                {
                    botNumber++;
                    team.Players.Add(new MatchParticipant
                    {
                        PlayerId = $"bot-{botNumber}-{matchId}",
                        Bot = true,
                        Nickname = names[(botNumber - 1) % names.Count],
                        Level = Math.Max(1, level),
                        Loadout = StartingLoadout(),
                        Skill = skill,
                    });
                }
            }
        }

        var record = new MatchRecord
        {
            MatchId = matchId,
            GameMode = mode.Id,
            MatchmakingConfiguration = first.ConfigurationName,
            Map = map,
            State = MatchRecordState.Created,
            CreatedAtUnixMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            MatchQueue = queueNames.ForMatch(matchId),
        };
        record.Teams.AddRange(teams);
        return record;
    }

    /// <summary>
    /// The mode's teams with the humans on them: the matchmaker's teams when they fit the mode (at most
    /// <c>teams</c> teams of at most <c>playersPerTeam</c>), topped up to the mode's team count with the rule set's team
    /// names and then <c>team-N</c>; otherwise the humans in order, filling <c>team-1</c>, <c>team-2</c>, … in turn.
    /// </summary>
    internal static List<MatchTeam> LayOutTeams(GameConfig.GameModeDef mode, IReadOnlyList<(MatchParticipant Participant, string? Team)> humans, IReadOnlyList<string> ruleSetTeams)
    {
        var groups = humans.GroupBy(h => h.Team ?? string.Empty, StringComparer.Ordinal).ToList();
        var fits = groups.TrueForAll(g => g.Key.Length > 0 && g.Count() <= mode.PlayersPerTeam) && groups.Count <= mode.Teams;
        var teams = new List<MatchTeam>();
        if (fits)
        {
            var order = ruleSetTeams.Where(n => groups.Exists(g => g.Key == n)).Concat(groups.Select(g => g.Key)).Distinct(StringComparer.Ordinal);
            foreach (var name in order)
            {
                var team = new MatchTeam { Name = name };
                team.Players.AddRange(groups.First(g => g.Key == name).Select(h => h.Participant));
                teams.Add(team);
            }

            var spare = ruleSetTeams.Concat(Enumerable.Range(1, mode.Teams).Select(i => $"team-{i}")).Distinct(StringComparer.Ordinal)
                .Where(n => !teams.Exists(t => t.Name == n)).GetEnumerator();
            while (teams.Count < mode.Teams && spare.MoveNext())
            {
                teams.Add(new MatchTeam { Name = spare.Current });
            }

            return teams;
        }

        for (var i = 1; i <= mode.Teams; i++)
        {
            teams.Add(new MatchTeam { Name = $"team-{i}" });
        }

        var index = 0;
        foreach (var human in humans)
        {
            teams[Math.Min(index / mode.PlayersPerTeam, teams.Count - 1)].Players.Add(human.Participant);
            index++;
        }

        return teams;
    }

    private Loadout StartingLoadout()
    {
        var loadout = config.Starting.Loadout;
        return new Loadout
        {
            Hero = loadout.HeroId ?? string.Empty,
            Primary = loadout.PrimaryWeaponId ?? string.Empty,
            Secondary = loadout.SecondaryWeaponId ?? string.Empty,
            Melee = loadout.MeleeWeaponId ?? string.Empty,
            Avatar = loadout.AvatarId ?? string.Empty,
        };
    }

    private static uint StableHash(string value) => BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(value)), 0);

    [LoggerMessage(Level = LogLevel.Information, Message = "Matchmaking event {Type} names ticket {TicketId}, which the matches service does not know; ignored")]
    private partial void LogUnknownTicket(string ticketId, MatchmakingEventType type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MatchmakingSucceeded event {EventId} has no match id; ignored")]
    private partial void LogSucceededWithoutMatch(string eventId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Match {MatchId} was already handed off; redelivered success ignored")]
    private partial void LogAlreadyHandedOff(string matchId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Match {MatchId} ({GameMode} on {Map}) handed to the game servers at {Now}")]
    private partial void LogHandedOff(string matchId, string gameMode, string map, DateTimeOffset now);
}
