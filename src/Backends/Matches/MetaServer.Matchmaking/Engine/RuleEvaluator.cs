using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Engine;

/// <summary>
/// Evaluates a rule set's rules (with expansions for a wait time) on a potential match. Property expressions evaluate
/// to <c>double</c>, <c>string</c> or <c>List&lt;object&gt;</c> values, as FlexMatch documents them: a path over all or
/// several teams gives one list per team, a path over one team a flat list; aggregation functions applied to a list
/// of lists apply to each sub-list. A value that cannot be computed yet (no players) is <c>null</c> and passes.
/// </summary>
internal sealed class RuleEvaluator
{
    private readonly RuleSet _ruleSet;
    private readonly Dictionary<(ExpansionTargetKind, string, string), RuleExpansion> _expansions = [];
    private readonly List<MatchmakingRule> _topLevelRules = [];

    public RuleEvaluator(RuleSet ruleSet)
    {
        _ruleSet = ruleSet;
        foreach (var expansion in ruleSet.Expansions)
        {
            _expansions[(expansion.Target.Kind, expansion.Target.Name, expansion.Target.Property)] = expansion;
        }

        // FlexMatch evaluates the rules a compound rule names only through that compound rule.
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var compound in ruleSet.Rules.OfType<CompoundRule>())
        {
            CollectReferences(compound.Statement, referenced);
        }

        _topLevelRules.AddRange(ruleSet.Rules.Where(r => r is not (AbsoluteSortRule or DistanceSortRule) && !referenced.Contains(r.Name)));
    }

    /// <summary>The value of an expandable property after <paramref name="waitSeconds"/> of waiting.</summary>
    public double Expanded(ExpansionTargetKind kind, string name, string property, double baseValue, double waitSeconds)
    {
        if (!_expansions.TryGetValue((kind, name, property), out var expansion))
        {
            return baseValue;
        }

        var value = baseValue;
        foreach (var step in expansion.Steps)
        {
            if (waitSeconds >= step.WaitTimeSeconds)
            {
                value = step.Value;
            }
        }

        return value;
    }

    public int MinPlayers(TeamDefinition team, double waitSeconds) =>
        (int)Expanded(ExpansionTargetKind.Team, team.Name, "minPlayers", team.MinPlayers, waitSeconds);

    public int MaxPlayers(TeamDefinition team, double waitSeconds) =>
        (int)Expanded(ExpansionTargetKind.Team, team.Name, "maxPlayers", team.MaxPlayers, waitSeconds);

    /// <summary>
    /// True when the match passes every rule. With <paramref name="final"/> false (a match still being filled), parts
    /// of rules that more players could still satisfy (a minimum count, <c>contains</c>, compound statements) are not checked.
    /// </summary>
    public bool Passes(CandidateMatch match, double waitSeconds, bool final)
    {
        foreach (var rule in _topLevelRules)
        {
            if (!Passes(rule, match, waitSeconds, final))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The rule's result on the match (used by tests and compound rules).</summary>
    public bool Passes(MatchmakingRule rule, CandidateMatch match, double waitSeconds, bool final) => rule switch
    {
        ComparisonRule comparison => Comparison(comparison, match, waitSeconds),
        DistanceRule distance => Distance(distance, match, waitSeconds),
        BatchDistanceRule batch => BatchDistance(batch, match, waitSeconds),
        CollectionRule collection => Collection(collection, match, waitSeconds, final),
        CompoundRule compound => !final || Statement(compound.Statement, match, waitSeconds),
        LatencyRule latency => Latency(latency, match, waitSeconds),
        _ => true,
    };

    private bool Statement(CompoundStatement statement, CandidateMatch match, double waitSeconds) => statement switch
    {
        RuleReference reference => Passes(_ruleSet.FindRule(reference.RuleName)!, match, waitSeconds, final: true),
        CompoundOperation { Operator: CompoundOperator.And } and => and.Operands.All(o => Statement(o, match, waitSeconds)),
        CompoundOperation { Operator: CompoundOperator.Or } or => or.Operands.Any(o => Statement(o, match, waitSeconds)),
        CompoundOperation { Operator: CompoundOperator.Not } not => !Statement(not.Operands[0], match, waitSeconds),
        CompoundOperation { Operator: CompoundOperator.Xor } xor => xor.Operands.Count(o => Statement(o, match, waitSeconds)) == 1,
        _ => false,
    };

    private bool Comparison(ComparisonRule rule, CandidateMatch match, double waitSeconds)
    {
        var leaves = Leaves(rule.Measurements, match, rule.PartyAggregation);
        if (rule.ReferenceValue is null)
        {
            return rule.Operation == ComparisonOperation.Equal
                ? leaves.Distinct().Count() <= 1
                : leaves.Distinct().Count() == leaves.Count;
        }

        var reference = rule.ReferenceValue switch
        {
            NumberReferenceValue number => Expanded(ExpansionTargetKind.Rule, rule.Name, "referenceValue", number.Value, waitSeconds),
            StringReferenceValue text => text.Value,
            ExpressionReferenceValue expression => Evaluate(expression.Expression, match, rule.PartyAggregation),
            _ => null,
        };
        if (reference is null)
        {
            return true;
        }

        foreach (var leaf in leaves)
        {
            var ok = (leaf, reference) switch
            {
                (double x, double r) => rule.Operation switch
                {
                    ComparisonOperation.Equal => x == r,
                    ComparisonOperation.NotEqual => x != r,
                    ComparisonOperation.LessThan => x < r,
                    ComparisonOperation.LessThanOrEqual => x <= r,
                    ComparisonOperation.GreaterThan => x > r,
                    _ => x >= r,
                },
                (string x, string r) => rule.Operation == ComparisonOperation.Equal ? x == r : x != r,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private bool Distance(DistanceRule rule, CandidateMatch match, double waitSeconds)
    {
        var reference = rule.ReferenceValue switch
        {
            NumberReferenceValue number => Expanded(ExpansionTargetKind.Rule, rule.Name, "referenceValue", number.Value, waitSeconds),
            ExpressionReferenceValue expression => Evaluate(expression.Expression, match, rule.PartyAggregation) as double?,
            _ => null,
        };
        if (reference is not { } r)
        {
            return true;
        }

        var max = rule.MaxDistance is { } maxDistance ? Expanded(ExpansionTargetKind.Rule, rule.Name, "maxDistance", maxDistance, waitSeconds) : double.PositiveInfinity;
        var min = rule.MinDistance is { } minDistance ? Expanded(ExpansionTargetKind.Rule, rule.Name, "minDistance", minDistance, waitSeconds) : 0;
        foreach (var leaf in Leaves(rule.Measurements, match, rule.PartyAggregation))
        {
            if (leaf is double x && (Math.Abs(x - r) > max || Math.Abs(x - r) < min))
            {
                return false;
            }
        }

        return true;
    }

    private bool BatchDistance(BatchDistanceRule rule, CandidateMatch match, double waitSeconds)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        string? text = null;
        foreach (var (ticket, _) in match.Placements)
        {
            switch (TicketValue(ticket, rule.BatchAttribute, rule.PartyAggregation))
            {
                case double number:
                    low = Math.Min(low, number);
                    high = Math.Max(high, number);
                    break;
                case string value:
                    text ??= value;
                    if (text != value)
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        if (rule.MaxDistance is not { } maxDistance || high < low)
        {
            return true;
        }

        return high - low <= Expanded(ExpansionTargetKind.Rule, rule.Name, "maxDistance", maxDistance, waitSeconds);
    }

    private bool Collection(CollectionRule rule, CandidateMatch match, double waitSeconds, bool final)
    {
        var min = rule.MinCount is { } minCount ? Expanded(ExpansionTargetKind.Rule, rule.Name, "minCount", minCount, waitSeconds) : (double?)null;
        var max = rule.MaxCount is { } maxCount ? Expanded(ExpansionTargetKind.Rule, rule.Name, "maxCount", maxCount, waitSeconds) : (double?)null;
        var measured = rule.Measurements.Select(m => Evaluate(m, match, rule.PartyAggregation)).Where(v => v is not null).ToList();
        switch (rule.Operation)
        {
            case CollectionOperation.Intersection:
            {
                // The strings every measured list has in common; fewer as players are added, so the minimum is checked early.
                HashSet<string>? common = null;
                foreach (var list in StringLists(measured))
                {
                    if (common is null)
                    {
                        common = new HashSet<string>(list, StringComparer.Ordinal);
                    }
                    else
                    {
                        common.IntersectWith(list);
                    }
                }

                if (common is null)
                {
                    return true;
                }

                return (min is null || common.Count >= min) && (!final || max is null || common.Count <= max);
            }

            case CollectionOperation.Contains:
            {
                if (!final)
                {
                    return true;
                }

                var all = StringLists(measured).SelectMany(l => l).ToHashSet(StringComparer.Ordinal);
                return rule.ReferenceValue switch
                {
                    StringReferenceValue text => all.Contains(text.Value),
                    StringListReferenceValue list => list.Values.All(all.Contains),
                    _ => false,
                };
            }

            default:
            {
                // reference_intersection_count: how many of the reference strings appear among the measured strings.
                var all = StringLists(measured).SelectMany(l => l).ToHashSet(StringComparer.Ordinal);
                var reference = rule.ReferenceValue is StringListReferenceValue list ? list.Values : [];
                var count = reference.Count(all.Contains);
                return (!final || min is null || count >= min) && (max is null || count <= max);
            }
        }
    }

    private bool Latency(LatencyRule rule, CandidateMatch match, double waitSeconds)
    {
        var maxLatency = Expanded(ExpansionTargetKind.Rule, rule.Name, "maxLatency", rule.MaxLatency, waitSeconds);
        var maxDistance = rule.MaxDistance is { } distance ? Expanded(ExpansionTargetKind.Rule, rule.Name, "maxDistance", distance, waitSeconds) : (double?)null;
        if (match.Placements.Count == 0)
        {
            return true;
        }

        // A region is possible when every player reports a latency to it within maxLatency and, with maxDistance,
        // within maxDistance of the match's lowest (distanceReference min) or average (avg) latency to that region.
        foreach (var region in match.Placements[0].Ticket.Ticket.Players[0].LatencyInMs.Keys)
        {
            var ok = true;
            double sum = 0, lowest = double.PositiveInfinity, highest = double.NegativeInfinity;
            var count = 0;
            foreach (var (ticket, _) in match.Placements)
            {
                foreach (var player in ticket.Ticket.Players)
                {
                    if (!player.LatencyInMs.TryGetValue(region, out var latency) || latency > maxLatency)
                    {
                        ok = false;
                        break;
                    }

                    sum += latency;
                    count++;
                    lowest = Math.Min(lowest, latency);
                    highest = Math.Max(highest, latency);
                }

                if (!ok)
                {
                    break;
                }
            }

            if (!ok)
            {
                continue;
            }

            if (maxDistance is { } d)
            {
                var reference = rule.DistanceReference == LatencyDistanceReference.Min ? lowest : sum / count;
                if (highest - reference > d)
                {
                    continue;
                }
            }

            return true;
        }

        return false;
    }

    private List<object> Leaves(IEnumerable<PropertyExpression> measurements, CandidateMatch match, PartyAggregation aggregation)
    {
        var leaves = new List<object>();
        foreach (var measurement in measurements)
        {
            AddLeaves(Evaluate(measurement, match, aggregation), leaves);
        }

        return leaves;
    }

    private static void AddLeaves(object? value, List<object> leaves)
    {
        switch (value)
        {
            case null:
                break;
            case List<object> list:
                foreach (var item in list)
                {
                    AddLeaves(item, leaves);
                }

                break;
            default:
                leaves.Add(value);
                break;
        }
    }

    /// <summary>The innermost lists of strings in the measured values (one per player for a flattened string_list path).</summary>
    private static IEnumerable<List<string>> StringLists(IEnumerable<object?> values)
    {
        foreach (var value in values)
        {
            if (value is not List<object> list)
            {
                continue;
            }

            if (list.Count == 0 || list.All(i => i is string))
            {
                yield return list.Cast<string>().ToList();
            }
            else
            {
                foreach (var inner in StringLists(list))
                {
                    yield return inner;
                }
            }
        }
    }

    public object? Evaluate(PropertyExpression expression, CandidateMatch match, PartyAggregation aggregation)
    {
        switch (expression)
        {
            case PlayerAttributeExpression path:
            {
                var perTeam = new List<object>(match.Teams.Count);
                foreach (var team in match.Teams)
                {
                    if (!path.Teams.All && !path.Teams.Names.Contains(team.Definition.Name))
                    {
                        continue;
                    }

                    var values = new List<object>(team.PlayerCount);
                    foreach (var ticket in team.Tickets)
                    {
                        var value = TicketValue(ticket, path.Attribute, aggregation);
                        for (var i = 0; i < ticket.PlayerCount; i++)
                        {
                            if (ticket.PlayerCount == 1 || value is null)
                            {
                                values.Add(CachedPlayerValue(ticket, i, path.Attribute)!);
                            }
                            else
                            {
                                values.Add(value);
                            }
                        }
                    }

                    perTeam.Add(values);
                }

                return !path.Teams.All && perTeam.Count == 1 ? perTeam[0] : perTeam;
            }

            case FunctionExpression function:
                return Apply(function.Function, Evaluate(function.Argument, match, aggregation));
            default:
                return null;
        }
    }

    private static object? Apply(ExpressionFunction function, object? argument)
    {
        if (argument is not List<object> list)
        {
            return null;
        }

        switch (function)
        {
            case ExpressionFunction.Flatten:
            {
                var flat = new List<object>();
                foreach (var item in list)
                {
                    if (item is List<object> inner)
                    {
                        flat.AddRange(inner);
                    }
                    else
                    {
                        flat.Add(item);
                    }
                }

                return flat;
            }

            case ExpressionFunction.SetIntersection:
            {
                if (list.Count > 0 && list.All(i => i is List<object> inner && inner.Any(x => x is List<object>)))
                {
                    return list.Select(i => Apply(function, i)).OfType<object>().ToList();
                }

                HashSet<string>? common = null;
                foreach (var item in list.OfType<List<object>>())
                {
                    var strings = item.OfType<string>();
                    if (common is null)
                    {
                        common = new HashSet<string>(strings, StringComparer.Ordinal);
                    }
                    else
                    {
                        common.IntersectWith(strings);
                    }
                }

                return common is null ? null : common.Order(StringComparer.Ordinal).ToList<object>();
            }

            case ExpressionFunction.Count when list.All(i => i is List<object>):
                return list.Select(i => (object)(double)((List<object>)i).Count).ToList();
            case ExpressionFunction.Count:
                return (double)list.Count;
        }

        if (list.Count > 0 && list.All(i => i is List<object>))
        {
            // An aggregation over a list of lists applies to each (non-empty) sub-list.
            var results = new List<object>(list.Count);
            foreach (var item in list)
            {
                if (Apply(function, item) is { } result)
                {
                    results.Add(result);
                }
            }

            return results;
        }

        double sum = 0, low = double.PositiveInfinity, high = double.NegativeInfinity;
        var count = 0;
        foreach (var item in list)
        {
            if (item is double x)
            {
                sum += x;
                low = Math.Min(low, x);
                high = Math.Max(high, x);
                count++;
            }
        }

        if (count == 0)
        {
            return null;
        }

        switch (function)
        {
            case ExpressionFunction.Avg:
                return sum / count;
            case ExpressionFunction.Min:
                return low;
            case ExpressionFunction.Max:
                return high;
            case ExpressionFunction.Sum:
                return sum;
        }

        var numbers = list.OfType<double>().ToList();
        switch (function)
        {
            case ExpressionFunction.Median:
            {
                numbers.Sort();
                var middle = numbers.Count / 2;
                return numbers.Count % 2 == 1 ? numbers[middle] : (numbers[middle - 1] + numbers[middle]) / 2;
            }

            case ExpressionFunction.Stddev:
            {
                var mean = numbers.Average();
                return Math.Sqrt(numbers.Sum(x => (x - mean) * (x - mean)) / numbers.Count);
            }

            default:
                return null;
        }
    }

    /// <summary>A player's value as an expression value: number, string, or list of strings.</summary>
    private static object? PlayerValue(Dictionary<string, AttributeValue> player, string attribute) =>
        player.TryGetValue(attribute, out var value)
            ? value switch
            {
                NumberAttributeValue number => number.Value,
                StringAttributeValue text => text.Value,
                StringListAttributeValue list => list.Values.Cast<object>().ToList(),
                _ => null,
            }
            : null;

    private static object? CachedPlayerValue(PreparedTicket ticket, int player, string attribute)
    {
        var key = (attribute, PartyAggregation.Avg, player);
        if (!ticket.Values.TryGetValue(key, out var value))
        {
            value = PlayerValue(ticket.Players[player], attribute);
            ticket.Values[key] = value;
        }

        return value;
    }

    /// <summary>The value of a ticket (party) for an attribute: numbers aggregated by avg/min/max, string lists by union/intersection.</summary>
    public static object? TicketValue(PreparedTicket ticket, string attribute, PartyAggregation aggregation)
    {
        if (ticket.PlayerCount == 1)
        {
            return CachedPlayerValue(ticket, 0, attribute);
        }

        var key = (attribute, aggregation, -1);
        if (!ticket.Values.TryGetValue(key, out var value))
        {
            value = ComputeTicketValue(ticket, attribute, aggregation);
            ticket.Values[key] = value;
        }

        return value;
    }

    private static object? ComputeTicketValue(PreparedTicket ticket, string attribute, PartyAggregation aggregation)
    {
        if (ticket.PlayerCount == 1)
        {
            return PlayerValue(ticket.Players[0], attribute);
        }

        var values = ticket.Players.Select(p => PlayerValue(p, attribute)).ToList();
        if (values.Any(v => v is null))
        {
            return null;
        }

        if (values.All(v => v is double))
        {
            var numbers = values.Cast<double>();
            return aggregation switch
            {
                PartyAggregation.Min => numbers.Min(),
                PartyAggregation.Max => numbers.Max(),
                _ => numbers.Average(),
            };
        }

        if (values.All(v => v is List<object>))
        {
            var lists = values.Cast<List<object>>().Select(l => l.Cast<string>()).ToList();
            IEnumerable<string> combined = lists[0];
            foreach (var list in lists.Skip(1))
            {
                combined = aggregation == PartyAggregation.Intersection ? combined.Intersect(list) : combined.Union(list);
            }

            return combined.Cast<object>().ToList();
        }

        // Strings: a party shares a value only when all its players have it.
        return values.Distinct().Count() == 1 ? values[0] : null;
    }

    private static void CollectReferences(CompoundStatement statement, HashSet<string> names)
    {
        switch (statement)
        {
            case RuleReference reference:
                names.Add(reference.RuleName);
                break;
            case CompoundOperation operation:
                foreach (var operand in operation.Operands)
                {
                    CollectReferences(operand, names);
                }

                break;
        }
    }
}
