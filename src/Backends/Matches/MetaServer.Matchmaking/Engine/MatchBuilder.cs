using System.Collections.Immutable;
using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Engine;

/// <summary>Tuning of <see cref="MatchBuilder"/>'s search.</summary>
/// <param name="CandidateWindow">
/// How many unused tickets nearest to the anchor (by the pool's ordering key) are considered for its match; at least
/// 4 × the match size is used.
/// </param>
/// <param name="MaxMatchesPerCall">Stop a <see cref="MatchBuilder.FindMatches"/> call after this many proposals.</param>
public sealed record MatchBuilderLimits(int CandidateWindow = 64, int MaxMatchesPerCall = int.MaxValue)
{
    public static MatchBuilderLimits Default { get; } = new();
}

/// <summary>
/// The offline FlexMatch-compatible match builder for one rule set (small matches, at most 40 players).
/// <para>
/// Each call orders the searching tickets oldest first and takes each unused one in turn as the anchor of a potential
/// match. Candidates are the unused tickets nearest to the anchor in the pool's ordering key (the sort rule's attribute,
/// else a numeric batchDistance attribute, else the first sortByAttributes, else a distance rule's attribute, else the
/// start time), within the anchor's bucket of string batchDistance values; they are tried in the sort rules' order
/// (distanceSort: nearest the anchor first; absoluteSort: by value), else with batchingPreference sorted nearest the
/// anchor's key first, else oldest first. A ticket's players all go to one
/// team; a ticket is added when the potential match still passes the rules (expanded for the wait time of the newest,
/// or with expansionAgeSelection oldest the oldest, ticket in it). Teams fill up to maxPlayers; the match is proposed
/// when every team has at least its (expanded) minPlayers and every rule passes on the whole match.
/// </para>
/// </summary>
public sealed class MatchBuilder : IMatchBuilder
{
    private readonly RuleEvaluator _evaluator;
    private readonly MatchBuilderLimits _limits;
    private readonly HashSet<string> _requiredAttributes;
    private readonly bool _requiresLatency;
    private readonly Func<PreparedTicket, double>? _keyOf;
    private readonly List<string> _bucketAttributes;
    private readonly List<(MatchmakingRule Rule, Func<PreparedTicket, double> Value)> _sorts = [];
    private readonly Dictionary<string, PreparedTicket> _prepared = new(StringComparer.Ordinal);
    private readonly int _window;

    internal MatchBuilder(RuleSet ruleSet, MatchBuilderLimits limits)
    {
        RuleSet = ruleSet;
        _limits = limits;
        _evaluator = new RuleEvaluator(ruleSet);
        _window = Math.Max(limits.CandidateWindow, 4 * ruleSet.MaxPlayers);
        _requiredAttributes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in ruleSet.Rules)
        {
            switch (rule)
            {
                case ComparisonRule r:
                    AddAttributes(r.Measurements, r.ReferenceValue);
                    break;
                case DistanceRule r:
                    AddAttributes(r.Measurements, r.ReferenceValue);
                    break;
                case CollectionRule r:
                    AddAttributes(r.Measurements, r.ReferenceValue);
                    break;
                case BatchDistanceRule r:
                    _requiredAttributes.Add(r.BatchAttribute);
                    break;
                case AbsoluteSortRule r:
                    _requiredAttributes.Add(r.SortAttribute);
                    _sorts.Add((r, SortValue(r.SortAttribute, r.MapKey, r.PartyAggregation)));
                    break;
                case DistanceSortRule r:
                    _requiredAttributes.Add(r.SortAttribute);
                    _sorts.Add((r, SortValue(r.SortAttribute, r.MapKey, r.PartyAggregation)));
                    break;
                case LatencyRule:
                    _requiresLatency = true;
                    break;
            }
        }

        if (ruleSet.Algorithm.BalancedAttribute is { } balanced)
        {
            _requiredAttributes.Add(balanced);
        }

        _bucketAttributes = ruleSet.Rules.OfType<BatchDistanceRule>()
            .Where(r => ruleSet.FindAttribute(r.BatchAttribute)?.Type == PlayerAttributeType.String)
            .Select(r => r.BatchAttribute).Distinct().ToList();
        _keyOf = ChooseKey(ruleSet);
    }

    public RuleSet RuleSet { get; }

    public IReadOnlyList<ProposedMatch> FindMatches(IReadOnlyCollection<PoolTicket> searching, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searching);
        var nowTicks = now.UtcTicks;
        var tickets = new List<PreparedTicket>(searching.Count);
        foreach (var ticket in searching)
        {
            if (!_prepared.TryGetValue(ticket.TicketId, out var prepared) || !ReferenceEquals(prepared.Ticket, ticket))
            {
                prepared = Prepare(ticket);
                _prepared[ticket.TicketId] = prepared;
            }

            if (prepared.Matchable && prepared.PlayerCount <= RuleSet.MaxPlayers)
            {
                tickets.Add(prepared);
            }
        }

        // The cache follows the searching tickets: forget the ones that left once it holds twice as many.
        if (_prepared.Count > 2 * Math.Max(1024, searching.Count))
        {
            var current = searching.Select(t => t.TicketId).ToHashSet(StringComparer.Ordinal);
            foreach (var id in _prepared.Keys.Where(id => !current.Contains(id)).ToList())
            {
                _prepared.Remove(id);
            }
        }

        // The pool in (bucket, key) order as a linked list of unused tickets.
        var ordered = tickets.ToArray();
        Array.Sort(ordered, static (a, b) =>
        {
            var byBucket = string.CompareOrdinal(a.Bucket, b.Bucket);
            return byBucket != 0 ? byBucket : a.Key.CompareTo(b.Key) is var byKey && byKey != 0 ? byKey : a.StartTicks.CompareTo(b.StartTicks);
        });
        var previous = new int[ordered.Length];
        var next = new int[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            ordered[i].Position = i;
            previous[i] = i - 1;
            next[i] = i + 1 < ordered.Length ? i + 1 : -1;
        }

        var used = new bool[ordered.Length];
        void MarkUsed(int position)
        {
            used[position] = true;
            if (previous[position] >= 0)
            {
                next[previous[position]] = next[position];
            }

            if (next[position] >= 0)
            {
                previous[next[position]] = previous[position];
            }
        }

        tickets.Sort(static (a, b) => a.StartTicks.CompareTo(b.StartTicks));
        var proposals = new List<ProposedMatch>();
        var match = new CandidateMatch(RuleSet);
        var candidates = new List<PreparedTicket>(_window);
        var processed = 0;
        foreach (var anchor in tickets)
        {
            if ((++processed & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (used[anchor.Position])
            {
                continue;
            }

            GatherCandidates(anchor, ordered, previous, next, candidates);
            OrderCandidates(anchor, candidates);
            match.Clear();
            if (TryBuild(anchor, candidates, match, nowTicks))
            {
                foreach (var (ticket, _) in match.Placements)
                {
                    MarkUsed(ticket.Position);
                }

                proposals.Add(ToProposal(match));
                if (proposals.Count >= _limits.MaxMatchesPerCall)
                {
                    break;
                }
            }
        }

        return proposals;
    }

    private PreparedTicket Prepare(PoolTicket ticket)
    {
        var prepared = new PreparedTicket(ticket, RuleSet, _requiredAttributes, _requiresLatency);
        if (prepared.Matchable)
        {
            prepared.Bucket = Bucket(prepared);
            prepared.Key = _keyOf is null ? prepared.StartTicks : _keyOf(prepared);
        }

        return prepared;
    }

    private bool TryBuild(PreparedTicket anchor, List<PreparedTicket> candidates, CandidateMatch match, long nowTicks)
    {
        if (!TryPlace(anchor, match, nowTicks))
        {
            return false;
        }

        foreach (var candidate in candidates)
        {
            if (IsFull(match, nowTicks))
            {
                break;
            }

            TryPlace(candidate, match, nowTicks);
        }

        var wait = WaitSeconds(match, nowTicks);
        foreach (var team in match.Teams)
        {
            if (team.PlayerCount < _evaluator.MinPlayers(team.Definition, wait) || team.PlayerCount > _evaluator.MaxPlayers(team.Definition, wait))
            {
                return false;
            }
        }

        if (RuleSet.Algorithm.Strategy == AlgorithmStrategy.Balanced && RuleSet.Algorithm.BalancedAttribute is { } attribute)
        {
            Rebalance(match, attribute, wait);
        }

        return _evaluator.Passes(match, wait, final: true);
    }

    private bool TryPlace(PreparedTicket ticket, CandidateMatch match, long nowTicks)
    {
        foreach (var team in PlacementOrder(ticket, match))
        {
            match.Add(ticket, team);
            var wait = WaitSeconds(match, nowTicks);
            if (team.PlayerCount <= _evaluator.MaxPlayers(team.Definition, wait) && _evaluator.Passes(match, wait, final: false))
            {
                return true;
            }

            match.RemoveLast();
        }

        return false;
    }

    /// <summary>Teams to try for a ticket: the emptiest first (exhaustiveSearch), or the one the balanced attribute's average needs most (balanced).</summary>
    private IEnumerable<TeamSlot> PlacementOrder(PreparedTicket ticket, CandidateMatch match)
    {
        var open = match.Teams.Where(t => t.PlayerCount + ticket.PlayerCount <= t.Definition.MaxPlayers
            || _evaluator.MaxPlayers(t.Definition, double.MaxValue) >= t.PlayerCount + ticket.PlayerCount);
        if (RuleSet.Algorithm.Strategy == AlgorithmStrategy.Balanced && RuleSet.Algorithm.BalancedAttribute is { } attribute)
        {
            return open.OrderBy(t => t.PlayerCount).ThenBy(t => TeamSum(t, attribute)).ToList();
        }

        var teams = open.ToList();
        teams.Sort(static (a, b) => (a.PlayerCount - a.Definition.MaxPlayers).CompareTo(b.PlayerCount - b.Definition.MaxPlayers));
        return teams;
    }

    private bool IsFull(CandidateMatch match, long nowTicks)
    {
        var wait = WaitSeconds(match, nowTicks);
        return match.Teams.All(t => t.PlayerCount >= _evaluator.MaxPlayers(t.Definition, wait));
    }

    /// <summary>Balanced strategy: reassigns the chosen tickets, largest balanced value first, to the team with the lowest total.</summary>
    private void Rebalance(CandidateMatch match, string attribute, double wait)
    {
        var placements = match.Placements.ToList();
        var ordered = placements.OrderByDescending(p => p.Ticket.PlayerCount)
            .ThenByDescending(p => RuleEvaluator.TicketValue(p.Ticket, attribute, PartyAggregation.Avg) as double? ?? 0).ToList();
        match.Clear();
        foreach (var (ticket, _) in ordered)
        {
            var team = match.Teams
                .Where(t => t.PlayerCount + ticket.PlayerCount <= _evaluator.MaxPlayers(t.Definition, wait))
                .OrderBy(t => t.PlayerCount >= _evaluator.MinPlayers(t.Definition, wait) ? 1 : 0)
                .ThenBy(t => TeamSum(t, attribute))
                .ThenBy(t => t.PlayerCount)
                .FirstOrDefault();
            if (team is null)
            {
                // Cannot happen with the sizes the first pass produced, but keep the original assignment if it does.
                match.Clear();
                foreach (var (original, originalTeam) in placements)
                {
                    match.Add(original, originalTeam);
                }

                return;
            }

            match.Add(ticket, team);
        }

        var rebalancedOk = match.Teams.All(t => t.PlayerCount >= _evaluator.MinPlayers(t.Definition, wait)) && _evaluator.Passes(match, wait, final: true);
        if (!rebalancedOk)
        {
            match.Clear();
            foreach (var (original, originalTeam) in placements)
            {
                match.Add(original, originalTeam);
            }
        }
    }

    private static double TeamSum(TeamSlot team, string attribute) =>
        team.Tickets.Sum(t => (RuleEvaluator.TicketValue(t, attribute, PartyAggregation.Avg) as double? ?? 0) * t.PlayerCount);

    private double WaitSeconds(CandidateMatch match, long nowTicks)
    {
        var start = RuleSet.Algorithm.ExpansionAgeSelection == ExpansionAgeSelection.Oldest ? match.OldestStartTicks : match.NewestStartTicks;
        return TimeSpan.FromTicks(nowTicks - start).TotalSeconds;
    }

    private void GatherCandidates(PreparedTicket anchor, PreparedTicket[] ordered, int[] previous, int[] next, List<PreparedTicket> candidates)
    {
        candidates.Clear();
        var left = previous[anchor.Position];
        var right = next[anchor.Position];
        while (candidates.Count < _window && (left >= 0 || right >= 0))
        {
            var leftOk = left >= 0 && ordered[left].Bucket == anchor.Bucket;
            var rightOk = right >= 0 && ordered[right].Bucket == anchor.Bucket;
            if (!leftOk && !rightOk)
            {
                break;
            }

            var takeLeft = leftOk && (!rightOk || Math.Abs(anchor.Key - ordered[left].Key) <= Math.Abs(ordered[right].Key - anchor.Key));
            if (takeLeft)
            {
                candidates.Add(ordered[left]);
                left = previous[left];
            }
            else
            {
                candidates.Add(ordered[right]);
                right = next[right];
            }
        }
    }

    private void OrderCandidates(PreparedTicket anchor, List<PreparedTicket> candidates)
    {
        if (_sorts.Count == 0)
        {
            if (RuleSet.Algorithm.BatchingPreference == BatchingPreference.Sorted && _keyOf is not null)
            {
                // batchingPreference sorted: FlexMatch batches tickets sorted by sortByAttributes, so the nearest come first.
                candidates.Sort((a, b) => Math.Abs(a.Key - anchor.Key) is var x && Math.Abs(b.Key - anchor.Key) is var y && x != y
                    ? x.CompareTo(y)
                    : a.StartTicks.CompareTo(b.StartTicks));
            }
            else
            {
                candidates.Sort(static (a, b) => a.StartTicks.CompareTo(b.StartTicks));
            }

            return;
        }

        var anchorValues = _sorts.Select(s => s.Value(anchor)).ToArray();
        candidates.Sort((a, b) =>
        {
            for (var i = 0; i < _sorts.Count; i++)
            {
                var (rule, value) = _sorts[i];
                double x = value(a), y = value(b);
                var (keyA, keyB, direction) = rule switch
                {
                    DistanceSortRule d => (Math.Abs(x - anchorValues[i]), Math.Abs(y - anchorValues[i]), d.SortDirection),
                    AbsoluteSortRule s => (x, y, s.SortDirection),
                    _ => (0d, 0d, SortDirection.Ascending),
                };
                var compared = direction == SortDirection.Ascending ? keyA.CompareTo(keyB) : keyB.CompareTo(keyA);
                if (compared != 0)
                {
                    return compared;
                }
            }

            return a.StartTicks.CompareTo(b.StartTicks);
        });
    }

    private static ProposedMatch ToProposal(CandidateMatch match) => new(
        [.. match.Teams.Select(t => new ProposedTeam(t.Name, [.. t.Tickets.SelectMany(ticket => ticket.Ticket.Players.Select(p => p.PlayerId))]))],
        [.. match.Placements.Select(p => p.Ticket.Ticket.TicketId)]);

    private string Bucket(PreparedTicket ticket)
    {
        if (_bucketAttributes.Count == 0)
        {
            return "";
        }

        var parts = new string[_bucketAttributes.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            // A party whose players disagree on a string batch attribute can never pass the rule: give it its own bucket.
            parts[i] = RuleEvaluator.TicketValue(ticket, _bucketAttributes[i], PartyAggregation.Avg) as string ?? "\u0001" + ticket.Ticket.TicketId;
        }

        return string.Join('\u0000', parts);
    }

    private Func<PreparedTicket, double>? ChooseKey(RuleSet ruleSet)
    {
        if (_sorts.FirstOrDefault(s => s.Rule is DistanceSortRule) is { Value: { } distanceSort })
        {
            return distanceSort;
        }

        if (ruleSet.Rules.OfType<BatchDistanceRule>().FirstOrDefault(r => ruleSet.FindAttribute(r.BatchAttribute)?.Type == PlayerAttributeType.Number) is { } batch)
        {
            return NumericValue(batch.BatchAttribute, batch.PartyAggregation);
        }

        if (ruleSet.Algorithm.SortByAttributes.FirstOrDefault(a => ruleSet.FindAttribute(a)?.Type == PlayerAttributeType.Number) is { } sortBy)
        {
            return NumericValue(sortBy, PartyAggregation.Avg);
        }

        var distanceAttribute = ruleSet.Rules.OfType<DistanceRule>().SelectMany(r => r.Measurements.SelectMany(m => m.Attributes))
            .FirstOrDefault(a => ruleSet.FindAttribute(a)?.Type == PlayerAttributeType.Number);
        return distanceAttribute is null ? null : NumericValue(distanceAttribute, PartyAggregation.Avg);
    }

    private static Func<PreparedTicket, double> NumericValue(string attribute, PartyAggregation aggregation) =>
        ticket => RuleEvaluator.TicketValue(ticket, attribute, aggregation) as double? ?? 0;

    private static Func<PreparedTicket, double> SortValue(string attribute, SortMapKey? mapKey, PartyAggregation aggregation)
    {
        if (mapKey is null)
        {
            return NumericValue(attribute, aggregation);
        }

        return ticket =>
        {
            var values = ticket.Players
                .Select(p => p.TryGetValue(attribute, out var v) && v is StringNumberMapAttributeValue map && map.Values.Count > 0
                    ? (mapKey == SortMapKey.MinValue ? map.Values.Values.Min() : map.Values.Values.Max())
                    : 0)
                .ToList();
            return aggregation switch
            {
                PartyAggregation.Min => values.Min(),
                PartyAggregation.Max => values.Max(),
                _ => values.Average(),
            };
        };
    }

    private void AddAttributes(IEnumerable<PropertyExpression> measurements, ReferenceValue? reference)
    {
        foreach (var attribute in measurements.SelectMany(m => m.Attributes))
        {
            _requiredAttributes.Add(attribute);
        }

        if (reference is ExpressionReferenceValue expression)
        {
            foreach (var attribute in expression.Expression.Attributes)
            {
                _requiredAttributes.Add(attribute);
            }
        }
    }
}
