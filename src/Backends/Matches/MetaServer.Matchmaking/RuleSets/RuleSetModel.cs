using System.Collections.Immutable;
using System.Globalization;

namespace MetaServer.Matchmaking.RuleSets;

/// <summary>
/// A parsed, validated FlexMatch rule set (rule language 1.0, matches of at most <see cref="MaxSupportedPlayers"/>
/// players). Built only by <see cref="RuleSetParser"/>, so every reference in it (attributes, teams, rules) resolves.
/// </summary>
public sealed record RuleSet(
    string? Name,
    string SourceName,
    string RuleLanguageVersion,
    ImmutableArray<PlayerAttributeDefinition> PlayerAttributes,
    MatchmakingAlgorithm Algorithm,
    ImmutableArray<TeamDefinition> Teams,
    ImmutableArray<MatchmakingRule> Rules,
    ImmutableArray<RuleExpansion> Expansions)
{
    /// <summary>The largest match the offline engine builds (FlexMatch's small-match limit).</summary>
    public const int MaxSupportedPlayers = 40;

    /// <summary>Sum of maxPlayers × quantity over all teams.</summary>
    public int MaxPlayers => Teams.Sum(t => t.MaxPlayers * t.Quantity);

    /// <summary>Sum of minPlayers × quantity over all teams.</summary>
    public int MinPlayers => Teams.Sum(t => t.MinPlayers * t.Quantity);

    public PlayerAttributeDefinition? FindAttribute(string name) => PlayerAttributes.FirstOrDefault(a => a.Name == name);

    public TeamDefinition? FindTeam(string name) => Teams.FirstOrDefault(t => t.Name == name);

    public MatchmakingRule? FindRule(string name) => Rules.FirstOrDefault(r => r.Name == name);
}

public enum PlayerAttributeType
{
    String,
    Number,
    StringList,
    StringNumberMap,
}

/// <summary>A declared player attribute; <see cref="Default"/> is null when the rule set gives none.</summary>
public sealed record PlayerAttributeDefinition(string Name, PlayerAttributeType Type, AttributeValue? Default);

/// <summary>A player attribute value of one of the four FlexMatch types.</summary>
public abstract record AttributeValue
{
    public abstract PlayerAttributeType Type { get; }
}

public sealed record StringAttributeValue(string Value) : AttributeValue
{
    public override PlayerAttributeType Type => PlayerAttributeType.String;
}

public sealed record NumberAttributeValue(double Value) : AttributeValue
{
    public override PlayerAttributeType Type => PlayerAttributeType.Number;
}

public sealed record StringListAttributeValue(ImmutableArray<string> Values) : AttributeValue
{
    public override PlayerAttributeType Type => PlayerAttributeType.StringList;
}

public sealed record StringNumberMapAttributeValue(ImmutableDictionary<string, double> Values) : AttributeValue
{
    public override PlayerAttributeType Type => PlayerAttributeType.StringNumberMap;
}

/// <summary>A team template; <see cref="Quantity"/> copies of it are in every match.</summary>
public sealed record TeamDefinition(string Name, int MinPlayers, int MaxPlayers, int Quantity);

public enum AlgorithmStrategy
{
    ExhaustiveSearch,
    Balanced,
}

public enum BatchingPreference
{
    Random,
    Sorted,
    LargestPopulation,
    FastestFirst,
}

public enum BackfillPriority
{
    Normal,
    Low,
    High,
}

public enum ExpansionAgeSelection
{
    Newest,
    Oldest,
}

/// <summary>The rule set's <c>algorithm</c> section, with FlexMatch's defaults for what it leaves out.</summary>
public sealed record MatchmakingAlgorithm(
    AlgorithmStrategy Strategy,
    BatchingPreference BatchingPreference,
    ImmutableArray<string> SortByAttributes,
    string? BalancedAttribute,
    BackfillPriority BackfillPriority,
    ExpansionAgeSelection ExpansionAgeSelection)
{
    public static MatchmakingAlgorithm Default { get; } = new(
        AlgorithmStrategy.ExhaustiveSearch,
        BatchingPreference.Random,
        [],
        null,
        BackfillPriority.Normal,
        ExpansionAgeSelection.Newest);
}

/// <summary>How a rule combines the values of the players of one ticket (a party).</summary>
public enum PartyAggregation
{
    Avg,
    Min,
    Max,
    Union,
    Intersection,
}

public enum ComparisonOperation
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

public enum CollectionOperation
{
    Intersection,
    Contains,
    ReferenceIntersectionCount,
}

public enum SortDirection
{
    Ascending,
    Descending,
}

/// <summary>Which value of a string_number_map attribute a sort rule uses.</summary>
public enum SortMapKey
{
    MinValue,
    MaxValue,
}

public enum LatencyDistanceReference
{
    Min,
    Avg,
}

public enum RuleType
{
    Comparison,
    Distance,
    BatchDistance,
    Collection,
    Compound,
    Latency,
    AbsoluteSort,
    DistanceSort,
}

/// <summary>A rule of a rule set; one sealed subtype per FlexMatch rule type.</summary>
public abstract record MatchmakingRule(string Name, string? Description)
{
    public abstract RuleType Type { get; }
}

public sealed record ComparisonRule(
    string Name,
    string? Description,
    ImmutableArray<PropertyExpression> Measurements,
    ReferenceValue? ReferenceValue,
    ComparisonOperation Operation,
    PartyAggregation PartyAggregation) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.Comparison;
}

public sealed record DistanceRule(
    string Name,
    string? Description,
    ImmutableArray<PropertyExpression> Measurements,
    ReferenceValue ReferenceValue,
    double? MinDistance,
    double? MaxDistance,
    PartyAggregation PartyAggregation) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.Distance;
}

public sealed record BatchDistanceRule(
    string Name,
    string? Description,
    string BatchAttribute,
    double? MaxDistance,
    PartyAggregation PartyAggregation) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.BatchDistance;
}

public sealed record CollectionRule(
    string Name,
    string? Description,
    ImmutableArray<PropertyExpression> Measurements,
    ReferenceValue? ReferenceValue,
    CollectionOperation Operation,
    double? MinCount,
    double? MaxCount,
    PartyAggregation PartyAggregation) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.Collection;
}

public sealed record CompoundRule(string Name, string? Description, CompoundStatement Statement) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.Compound;
}

public sealed record LatencyRule(
    string Name,
    string? Description,
    double MaxLatency,
    double? MaxDistance,
    LatencyDistanceReference DistanceReference) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.Latency;
}

public sealed record AbsoluteSortRule(
    string Name,
    string? Description,
    SortDirection SortDirection,
    string SortAttribute,
    SortMapKey? MapKey,
    PartyAggregation PartyAggregation) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.AbsoluteSort;
}

public sealed record DistanceSortRule(
    string Name,
    string? Description,
    SortDirection SortDirection,
    string SortAttribute,
    SortMapKey? MapKey,
    PartyAggregation PartyAggregation) : MatchmakingRule(Name, Description)
{
    public override RuleType Type => RuleType.DistanceSort;
}

/// <summary>A rule's <c>referenceValue</c>: a literal or a property expression evaluated over the potential match.</summary>
public abstract record ReferenceValue;

public sealed record NumberReferenceValue(double Value) : ReferenceValue
{
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

public sealed record StringReferenceValue(string Value) : ReferenceValue
{
    public override string ToString() => $"\"{Value}\"";
}

public sealed record StringListReferenceValue(ImmutableArray<string> Values) : ReferenceValue
{
    public override string ToString() => "[" + string.Join(", ", Values.Select(v => $"\"{v}\"")) + "]";
}

public sealed record ExpressionReferenceValue(PropertyExpression Expression) : ReferenceValue
{
    public override string ToString() => Expression.ToString();
}

public enum CompoundOperator
{
    And,
    Or,
    Not,
    Xor,
}

/// <summary>A compound rule's statement: rule names combined with and/or/not/xor.</summary>
public abstract record CompoundStatement;

public sealed record RuleReference(string RuleName) : CompoundStatement
{
    public override string ToString() => RuleName;
}

public sealed record CompoundOperation(CompoundOperator Operator, ImmutableArray<CompoundStatement> Operands) : CompoundStatement
{
    public override string ToString() =>
        Operator.ToString().ToLowerInvariant() + "(" + string.Join(", ", Operands.Select(o => o.ToString())) + ")";
}

public enum ExpansionTargetKind
{
    Rule,
    Team,
}

/// <summary>What an expansion relaxes: <c>rules[Name].property</c> or <c>teams[name].property</c>.</summary>
public sealed record ExpansionTarget(ExpansionTargetKind Kind, string Name, string Property)
{
    public override string ToString() => (Kind == ExpansionTargetKind.Rule ? "rules" : "teams") + $"[{Name}].{Property}";
}

/// <summary>From <see cref="WaitTimeSeconds"/> on, the target takes <see cref="Value"/>.</summary>
public sealed record ExpansionStep(double WaitTimeSeconds, double Value);

/// <summary>An expansion; steps are in strictly increasing wait time.</summary>
public sealed record RuleExpansion(ExpansionTarget Target, ImmutableArray<ExpansionStep> Steps);
