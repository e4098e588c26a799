using MetaServer.Matchmaking.RuleSets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MetaServer.Matchmaking.Engine;

/// <summary>
/// Makes <see cref="MatchBuilder"/>s. Refuses (with a <see cref="RuleSetException"/> naming the rule and field) a rule
/// set whose rules the builder cannot evaluate, so an unsupported rule set stops the host at start-up.
/// </summary>
public sealed class MatchBuilderFactory(MatchBuilderLimits? limits = null) : IMatchBuilderFactory
{
    private readonly MatchBuilderLimits _limits = limits ?? MatchBuilderLimits.Default;

    public IMatchBuilder Create(RuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        var problems = Check(ruleSet);
        if (problems.Count > 0)
        {
            throw new RuleSetException(ruleSet.SourceName, problems);
        }

        return new MatchBuilder(ruleSet, _limits);
    }

    /// <summary>What of <paramref name="ruleSet"/> the builder cannot evaluate (empty when it can build matches for it).</summary>
    public static IReadOnlyList<RuleSetProblem> Check(RuleSet ruleSet)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        var problems = new List<RuleSetProblem>();
        if (ruleSet.Algorithm.BatchingPreference is BatchingPreference.LargestPopulation or BatchingPreference.FastestFirst)
        {
            problems.Add(new RuleSetProblem("algorithm", "batchingPreference", "$.algorithm.batchingPreference",
                $"\"{(ruleSet.Algorithm.BatchingPreference == BatchingPreference.FastestFirst ? "fastestFirst" : "largestPopulation")}\" applies to large matches (over 40 players), which the offline engine does not build; use \"random\" or \"sorted\""));
        }

        for (var index = 0; index < ruleSet.Rules.Length; index++)
        {
            var rule = ruleSet.Rules[index];
            void Problem(string field, string message) =>
                problems.Add(new RuleSetProblem($"rule '{rule.Name}'", field, $"$.rules[{index}].{field}", message));

            switch (rule)
            {
                case ComparisonRule comparison:
                {
                    var types = Types(ruleSet, comparison.Measurements);
                    if (types.Contains(PlayerAttributeType.StringNumberMap) || types.Contains(PlayerAttributeType.StringList))
                    {
                        Problem("measurements", "comparison rules compare number or string attributes; use a collection rule for string_list attributes (string_number_map attributes are only usable by sort rules)");
                    }

                    var ordering = comparison.Operation is not (ComparisonOperation.Equal or ComparisonOperation.NotEqual);
                    if (ordering && (types.Contains(PlayerAttributeType.String) || comparison.ReferenceValue is StringReferenceValue))
                    {
                        Problem("operation", "<, <=, > and >= compare numbers only");
                    }

                    if (comparison.ReferenceValue is StringListReferenceValue)
                    {
                        Problem("referenceValue", "a comparison rule compares with a single value, not a list");
                    }

                    if (comparison.ReferenceValue is ExpressionReferenceValue expression && Types(ruleSet, [expression.Expression]).Overlaps([PlayerAttributeType.StringList, PlayerAttributeType.StringNumberMap]))
                    {
                        Problem("referenceValue", "the reference expression must give a number or a string");
                    }

                    break;
                }

                case DistanceRule distance:
                    if (Types(ruleSet, distance.Measurements).Any(t => t != PlayerAttributeType.Number))
                    {
                        Problem("measurements", "distance rules measure number attributes only");
                    }

                    if (distance.ReferenceValue is ExpressionReferenceValue reference && Types(ruleSet, [reference.Expression]).Any(t => t != PlayerAttributeType.Number))
                    {
                        Problem("referenceValue", "the reference expression must read number attributes only");
                    }

                    break;
                case CollectionRule collection:
                    if (Types(ruleSet, collection.Measurements).Any(t => t is not (PlayerAttributeType.StringList or PlayerAttributeType.String)))
                    {
                        Problem("measurements", "collection rules measure string_list (or string) attributes only");
                    }

                    if (collection.ReferenceValue is ExpressionReferenceValue)
                    {
                        Problem("referenceValue", "a property expression as a collection rule's reference is not supported; give a string or a list of strings");
                    }
                    else if (collection.Operation == CollectionOperation.Contains && collection.ReferenceValue is not (StringReferenceValue or StringListReferenceValue))
                    {
                        Problem("referenceValue", "\"contains\" needs a string (or list of strings) reference value");
                    }
                    else if (collection.Operation == CollectionOperation.ReferenceIntersectionCount && collection.ReferenceValue is not StringListReferenceValue)
                    {
                        Problem("referenceValue", "\"reference_intersection_count\" needs a list of strings as reference value");
                    }

                    break;
            }
        }

        return problems;
    }

    private static HashSet<PlayerAttributeType> Types(RuleSet ruleSet, IEnumerable<PropertyExpression> expressions) =>
        expressions.SelectMany(e => e.Attributes).Select(a => ruleSet.FindAttribute(a)?.Type).OfType<PlayerAttributeType>().ToHashSet();
}

/// <summary>DI registration of the offline engine's match builder.</summary>
public static class MatchBuilderHosting
{
    /// <summary>Registers <see cref="MatchBuilderFactory"/> as the <see cref="IMatchBuilderFactory"/> (singleton).</summary>
    public static IServiceCollection AddFlexMatchBuilder(this IServiceCollection services, MatchBuilderLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IMatchBuilderFactory>(_ => new MatchBuilderFactory(limits));
        return services;
    }
}
