using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Engine;

/// <summary>A searching ticket with its players' attributes resolved (rule set defaults applied), cached per ticket.</summary>
internal sealed class PreparedTicket
{
    public PreparedTicket(PoolTicket ticket, RuleSet ruleSet, IReadOnlySet<string> requiredAttributes, bool requiresLatency)
    {
        Ticket = ticket;
        var players = new Dictionary<string, AttributeValue>[ticket.Players.Length];
        var matchable = ticket.Players.Length > 0;
        for (var i = 0; i < players.Length; i++)
        {
            var player = ticket.Players[i];
            var resolved = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
            foreach (var definition in ruleSet.PlayerAttributes)
            {
                if (player.Attributes.TryGetValue(definition.Name, out var value) && value.Type == definition.Type)
                {
                    resolved[definition.Name] = value;
                }
                else if (definition.Default is { } fallback)
                {
                    resolved[definition.Name] = fallback;
                }
            }

            foreach (var attribute in requiredAttributes)
            {
                matchable &= resolved.ContainsKey(attribute);
            }

            matchable &= !requiresLatency || player.LatencyInMs.Count > 0;
            players[i] = resolved;
        }

        Players = players;
        Matchable = matchable;
        StartTicks = ticket.StartTime.UtcTicks;
    }

    public PoolTicket Ticket { get; }

    /// <summary>Per player (same order as the ticket's), the attribute values with defaults applied.</summary>
    public IReadOnlyList<Dictionary<string, AttributeValue>> Players { get; }

    /// <summary>False when a player lacks an attribute a rule needs (and no default exists) or lacks latencies a latency rule needs.</summary>
    public bool Matchable { get; }

    public long StartTicks { get; }

    public int PlayerCount => Players.Count;

    /// <summary>Numeric key the pool is ordered by (window search), set per call.</summary>
    public double Key { get; set; }

    /// <summary>Bucket of string batch attributes; only tickets of one bucket can share a match.</summary>
    public string Bucket { get; set; } = "";

    // Doubly linked list of unused tickets in (bucket, key) order, rebuilt per call.
    public int Position { get; set; }

    /// <summary>Memo of <see cref="RuleEvaluator"/>'s per-ticket and per-player values (values never change for a ticket).</summary>
    public Dictionary<(string Attribute, PartyAggregation Aggregation, int Player), object?> Values { get; } = [];
}

/// <summary>One team of a match being built: a copy of a team definition (quantity &gt; 1 gives numbered copies).</summary>
internal sealed class TeamSlot(TeamDefinition definition, string name)
{
    public TeamDefinition Definition { get; } = definition;

    public string Name { get; } = name;

    public List<PreparedTicket> Tickets { get; } = [];

    public int PlayerCount { get; set; }
}

/// <summary>A potential match: its teams and, in order of addition, its tickets.</summary>
internal sealed class CandidateMatch
{
    public CandidateMatch(RuleSet ruleSet)
    {
        var teams = new List<TeamSlot>();
        foreach (var team in ruleSet.Teams)
        {
            for (var copy = 1; copy <= team.Quantity; copy++)
            {
                teams.Add(new TeamSlot(team, team.Quantity == 1 ? team.Name : team.Name + copy.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        Teams = teams;
    }

    public IReadOnlyList<TeamSlot> Teams { get; }

    public List<(PreparedTicket Ticket, TeamSlot Team)> Placements { get; } = [];

    public long NewestStartTicks { get; private set; } = long.MinValue;

    public long OldestStartTicks { get; private set; } = long.MaxValue;

    public int PlayerCount { get; private set; }

    public void Add(PreparedTicket ticket, TeamSlot team)
    {
        team.Tickets.Add(ticket);
        team.PlayerCount += ticket.PlayerCount;
        PlayerCount += ticket.PlayerCount;
        Placements.Add((ticket, team));
        RecomputeAges();
    }

    public void RemoveLast()
    {
        var (ticket, team) = Placements[^1];
        Placements.RemoveAt(Placements.Count - 1);
        team.Tickets.RemoveAt(team.Tickets.Count - 1);
        team.PlayerCount -= ticket.PlayerCount;
        PlayerCount -= ticket.PlayerCount;
        RecomputeAges();
    }

    public void Clear()
    {
        foreach (var team in Teams)
        {
            team.Tickets.Clear();
            team.PlayerCount = 0;
        }

        Placements.Clear();
        PlayerCount = 0;
        RecomputeAges();
    }

    private void RecomputeAges()
    {
        NewestStartTicks = long.MinValue;
        OldestStartTicks = long.MaxValue;
        foreach (var (ticket, _) in Placements)
        {
            NewestStartTicks = Math.Max(NewestStartTicks, ticket.StartTicks);
            OldestStartTicks = Math.Min(OldestStartTicks, ticket.StartTicks);
        }
    }
}
