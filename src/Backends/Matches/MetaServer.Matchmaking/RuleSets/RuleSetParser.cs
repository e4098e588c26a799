using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MetaServer.Matchmaking.RuleSets;

/// <summary>
/// Reads a FlexMatch rule set (rule language 1.0) into a <see cref="RuleSet"/>. Every problem found is reported at
/// once, as a <see cref="RuleSetException"/> naming the rule (or team, attribute, expansion), the field and its JSON path.
/// </summary>
public static partial class RuleSetParser
{
    private const string RuleSetSubject = "rule set";

    private static readonly string[] s_rootFields = ["name", "ruleLanguageVersion", "playerAttributes", "algorithm", "teams", "rules", "expansions"];
    private static readonly string[] s_attributeFields = ["name", "type", "default"];
    private static readonly string[] s_teamFields = ["name", "minPlayers", "maxPlayers", "quantity"];
    private static readonly string[] s_algorithmFields =
        ["strategy", "batchingPreference", "sortByAttributes", "balancedAttribute", "backfillPriority", "expansionAgeSelection"];
    private static readonly string[] s_expansionFields = ["target", "steps"];
    private static readonly string[] s_stepFields = ["waitTimeSeconds", "value"];

    private static readonly Dictionary<string, RuleType> s_ruleTypes = new(StringComparer.Ordinal)
    {
        ["comparison"] = RuleType.Comparison,
        ["distance"] = RuleType.Distance,
        ["batchDistance"] = RuleType.BatchDistance,
        ["collection"] = RuleType.Collection,
        ["compound"] = RuleType.Compound,
        ["latency"] = RuleType.Latency,
        ["absoluteSort"] = RuleType.AbsoluteSort,
        ["distanceSort"] = RuleType.DistanceSort,
    };

    private static readonly Dictionary<RuleType, string[]> s_ruleFields = new()
    {
        [RuleType.Comparison] = ["measurements", "referenceValue", "operation", "partyAggregation"],
        [RuleType.Distance] = ["measurements", "referenceValue", "minDistance", "maxDistance", "partyAggregation"],
        [RuleType.BatchDistance] = ["batchAttribute", "maxDistance", "partyAggregation"],
        [RuleType.Collection] = ["measurements", "referenceValue", "operation", "minCount", "maxCount", "partyAggregation"],
        [RuleType.Compound] = ["statement"],
        [RuleType.Latency] = ["maxLatency", "maxDistance", "distanceReference"],
        [RuleType.AbsoluteSort] = ["sortDirection", "sortAttribute", "mapKey", "partyAggregation"],
        [RuleType.DistanceSort] = ["sortDirection", "sortAttribute", "mapKey", "partyAggregation"],
    };

    /// <summary>Per rule type, the numeric fields an expansion may relax.</summary>
    private static readonly Dictionary<RuleType, string[]> s_expandableRuleFields = new()
    {
        [RuleType.Comparison] = ["referenceValue"],
        [RuleType.Distance] = ["referenceValue", "minDistance", "maxDistance"],
        [RuleType.BatchDistance] = ["maxDistance"],
        [RuleType.Collection] = ["minCount", "maxCount"],
        [RuleType.Compound] = [],
        [RuleType.Latency] = ["maxLatency", "maxDistance"],
        [RuleType.AbsoluteSort] = [],
        [RuleType.DistanceSort] = [],
    };

    private static readonly Dictionary<string, PlayerAttributeType> s_attributeTypes = new(StringComparer.Ordinal)
    {
        ["string"] = PlayerAttributeType.String,
        ["number"] = PlayerAttributeType.Number,
        ["string_list"] = PlayerAttributeType.StringList,
        ["string_number_map"] = PlayerAttributeType.StringNumberMap,
    };

    private static readonly Dictionary<string, AlgorithmStrategy> s_strategies = new(StringComparer.Ordinal)
    {
        ["exhaustiveSearch"] = AlgorithmStrategy.ExhaustiveSearch,
        ["balanced"] = AlgorithmStrategy.Balanced,
    };

    private static readonly Dictionary<string, BatchingPreference> s_batching = new(StringComparer.Ordinal)
    {
        ["random"] = BatchingPreference.Random,
        ["sorted"] = BatchingPreference.Sorted,
        ["largestPopulation"] = BatchingPreference.LargestPopulation,
        ["fastestFirst"] = BatchingPreference.FastestFirst,
    };

    private static readonly Dictionary<string, BackfillPriority> s_backfillPriorities = new(StringComparer.Ordinal)
    {
        ["normal"] = BackfillPriority.Normal,
        ["low"] = BackfillPriority.Low,
        ["high"] = BackfillPriority.High,
    };

    private static readonly Dictionary<string, ExpansionAgeSelection> s_ageSelections = new(StringComparer.Ordinal)
    {
        ["newest"] = ExpansionAgeSelection.Newest,
        ["oldest"] = ExpansionAgeSelection.Oldest,
    };

    private static readonly Dictionary<string, PartyAggregation> s_numericAggregations = new(StringComparer.Ordinal)
    {
        ["avg"] = PartyAggregation.Avg,
        ["min"] = PartyAggregation.Min,
        ["max"] = PartyAggregation.Max,
    };

    private static readonly Dictionary<string, PartyAggregation> s_collectionAggregations = new(StringComparer.Ordinal)
    {
        ["union"] = PartyAggregation.Union,
        ["intersection"] = PartyAggregation.Intersection,
    };

    private static readonly Dictionary<string, ComparisonOperation> s_comparisonOperations = new(StringComparer.Ordinal)
    {
        ["="] = ComparisonOperation.Equal,
        ["!="] = ComparisonOperation.NotEqual,
        ["<"] = ComparisonOperation.LessThan,
        ["<="] = ComparisonOperation.LessThanOrEqual,
        [">"] = ComparisonOperation.GreaterThan,
        [">="] = ComparisonOperation.GreaterThanOrEqual,
    };

    private static readonly Dictionary<string, CollectionOperation> s_collectionOperations = new(StringComparer.Ordinal)
    {
        ["intersection"] = CollectionOperation.Intersection,
        ["contains"] = CollectionOperation.Contains,
        ["reference_intersection_count"] = CollectionOperation.ReferenceIntersectionCount,
    };

    private static readonly Dictionary<string, SortDirection> s_sortDirections = new(StringComparer.Ordinal)
    {
        ["ascending"] = SortDirection.Ascending,
        ["descending"] = SortDirection.Descending,
    };

    private static readonly Dictionary<string, SortMapKey> s_mapKeys = new(StringComparer.Ordinal)
    {
        ["minValue"] = SortMapKey.MinValue,
        ["maxValue"] = SortMapKey.MaxValue,
    };

    private static readonly Dictionary<string, LatencyDistanceReference> s_distanceReferences = new(StringComparer.Ordinal)
    {
        ["min"] = LatencyDistanceReference.Min,
        ["avg"] = LatencyDistanceReference.Avg,
    };

    private static readonly Dictionary<string, CompoundOperator> s_compoundOperators = new(StringComparer.Ordinal)
    {
        ["and"] = CompoundOperator.And,
        ["or"] = CompoundOperator.Or,
        ["not"] = CompoundOperator.Not,
        ["xor"] = CompoundOperator.Xor,
    };

    /// <summary>Parses <paramref name="json"/>; <paramref name="sourceName"/> (usually the file path) prefixes every problem.</summary>
    /// <exception cref="RuleSetException">The rule set cannot be parsed or uses something the offline engine does not support.</exception>
    public static RuleSet Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        var problems = new ProblemList();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            problems.Add(RuleSetSubject, "(document)", "$",
                $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
            throw new RuleSetException(sourceName, problems.Items);
        }

        using (document)
        {
            var ruleSet = new Reader(problems, sourceName).Read(document.RootElement);
            if (problems.Count > 0 || ruleSet is null)
            {
                throw new RuleSetException(sourceName, problems.Items);
            }

            return ruleSet;
        }
    }

    /// <summary>Reads and parses the rule set file at <paramref name="path"/>; the path is the source name.</summary>
    public static RuleSet ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(File.ReadAllText(path), path);
    }

    [GeneratedRegex(@"^(rules|teams)\[([^\[\]]+)\]\.([A-Za-z]+)$")]
    private static partial Regex ExpansionTargetPattern();

    private sealed class Reader(ProblemList problems, string sourceName)
    {
        private readonly Dictionary<string, PlayerAttributeDefinition> _attributes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TeamDefinition> _teams = new(StringComparer.Ordinal);
        private readonly Dictionary<string, MatchmakingRule> _rules = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (RuleType Type, int Index)> _declaredRules = new(StringComparer.Ordinal);

        public RuleSet? Read(JsonElement root)
        {
            var reader = JsonFieldReader.Open(root, "$", RuleSetSubject, "(document)", problems, s_rootFields);
            if (reader is null)
            {
                return null;
            }

            var name = reader.String("name", required: false);
            var version = reader.String("ruleLanguageVersion", required: true);
            if (version is not null && version != "1.0")
            {
                reader.Problem("ruleLanguageVersion", $"'{version}' is not supported; only \"1.0\" is");
            }

            var attributes = ReadArray(reader, "playerAttributes", required: false, ReadAttribute);
            var teams = ReadArray(reader, "teams", required: true, ReadTeam);
            if (reader.Has("teams") && teams.IsEmpty && reader.Raw("teams")!.Value.ValueKind == JsonValueKind.Array)
            {
                reader.Problem("teams", "must declare at least one team");
            }

            var total = teams.Sum(t => t.MaxPlayers * t.Quantity);
            if (total > RuleSet.MaxSupportedPlayers)
            {
                reader.Problem("teams",
                    $"matches of {total} players (sum of maxPlayers × quantity) are not supported; the offline engine builds matches of at most {RuleSet.MaxSupportedPlayers} players");
            }

            var algorithm = reader.Raw("algorithm") is { } algorithmElement
                ? ReadAlgorithm(algorithmElement, reader.PathOf("algorithm"))
                : MatchmakingAlgorithm.Default;
            var rules = ReadArray(reader, "rules", required: false, ReadRule);
            CheckCompoundReferences(rules, reader.PathOf("rules"));
            var expansions = ReadArray(reader, "expansions", required: false, ReadExpansion);
            return new RuleSet(name, sourceName, version ?? "1.0", attributes, algorithm, teams, rules, expansions);
        }

        private ImmutableArray<T> ReadArray<T>(
            JsonFieldReader parent, string field, bool required, Func<JsonElement, string, int, T?> readItem)
            where T : class
        {
            var value = parent.Raw(field);
            if (value is null)
            {
                if (required)
                {
                    parent.Problem(field, "is required");
                }

                return [];
            }

            if (value.Value.ValueKind != JsonValueKind.Array)
            {
                parent.Problem(field, $"must be an array, found {JsonFieldReader.Describe(value.Value)}");
                return [];
            }

            var items = ImmutableArray.CreateBuilder<T>();
            var index = 0;
            foreach (var element in value.Value.EnumerateArray())
            {
                if (readItem(element, $"{parent.PathOf(field)}[{index}]", index) is { } item)
                {
                    items.Add(item);
                }

                index++;
            }

            return items.ToImmutable();
        }

        private static string NameOf(JsonElement element) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()!
                : "";

        private static string SubjectOf(string kind, JsonElement element, int index) =>
            NameOf(element) is { Length: > 0 } name ? $"{kind} '{name}'" : $"{kind} #{index}";

        private PlayerAttributeDefinition? ReadAttribute(JsonElement element, string path, int index)
        {
            var reader = JsonFieldReader.Open(element, path, SubjectOf("playerAttribute", element, index), "playerAttributes", problems, s_attributeFields);
            if (reader is null)
            {
                return null;
            }

            var name = reader.String("name", required: true);
            var type = reader.Enum("type", required: true, s_attributeTypes);
            AttributeValue? defaultValue = null;
            if (type is { } t && reader.Raw("default") is { } raw)
            {
                defaultValue = ReadAttributeValue(raw, t);
                if (defaultValue is null)
                {
                    reader.Problem("default", $"must be a {TypeName(t)} value, found {JsonFieldReader.Describe(raw)}");
                }
            }

            if (name is null || type is null)
            {
                return null;
            }

            var attribute = new PlayerAttributeDefinition(name, type.Value, defaultValue);
            if (!_attributes.TryAdd(name, attribute))
            {
                reader.Problem("name", $"duplicate player attribute name '{name}'");
                return null;
            }

            return attribute;
        }

        private TeamDefinition? ReadTeam(JsonElement element, string path, int index)
        {
            var reader = JsonFieldReader.Open(element, path, SubjectOf("team", element, index), "teams", problems, s_teamFields);
            if (reader is null)
            {
                return null;
            }

            var name = reader.String("name", required: true);
            var max = reader.Number("maxPlayers", required: true, min: 1, integer: true);
            var min = reader.Number("minPlayers", required: true, min: 0, integer: true);
            var quantity = reader.Number("quantity", required: false, min: 1, integer: true) ?? (reader.Has("quantity") ? null : 1);
            if (min is { } mn && max is { } mx && mn > mx)
            {
                reader.Problem("minPlayers", $"must be ≤ maxPlayers ({JsonFieldReader.Format(mx)}), found {JsonFieldReader.Format(mn)}");
                return null;
            }

            if (name is null || min is null || max is null || quantity is null)
            {
                return null;
            }

            var team = new TeamDefinition(name, (int)min.Value, (int)max.Value, (int)quantity.Value);
            if (!_teams.TryAdd(name, team))
            {
                reader.Problem("name", $"duplicate team name '{name}'");
                return null;
            }

            return team;
        }

        private MatchmakingAlgorithm ReadAlgorithm(JsonElement element, string path)
        {
            var reader = JsonFieldReader.Open(element, path, "algorithm", "algorithm", problems, s_algorithmFields);
            if (reader is null)
            {
                return MatchmakingAlgorithm.Default;
            }

            var defaults = MatchmakingAlgorithm.Default;
            var strategy = reader.Enum("strategy", required: false, s_strategies) ?? defaults.Strategy;
            var batching = reader.Enum("batchingPreference", required: false, s_batching) ?? defaults.BatchingPreference;
            var sortBy = reader.StringArray("sortByAttributes", required: false) ?? [];
            foreach (var attribute in sortBy)
            {
                CheckDeclared(reader, "sortByAttributes", attribute);
            }

            if (batching == BatchingPreference.Sorted && sortBy.IsEmpty)
            {
                reader.Problem("sortByAttributes", "is required (non-empty) when batchingPreference is \"sorted\"");
            }

            var balanced = reader.String("balancedAttribute", required: false);
            if (balanced is not null)
            {
                CheckDeclared(reader, "balancedAttribute", balanced, PlayerAttributeType.Number);
            }
            else if (strategy == AlgorithmStrategy.Balanced)
            {
                reader.Problem("balancedAttribute", "is required when strategy is \"balanced\"");
            }

            var backfill = reader.Enum("backfillPriority", required: false, s_backfillPriorities) ?? defaults.BackfillPriority;
            var age = reader.Enum("expansionAgeSelection", required: false, s_ageSelections) ?? defaults.ExpansionAgeSelection;
            return new MatchmakingAlgorithm(strategy, batching, sortBy, balanced, backfill, age);
        }

        private MatchmakingRule? ReadRule(JsonElement element, string path, int index)
        {
            var subject = SubjectOf("rule", element, index);
            RuleType? type = null;
            var known = new List<string> { "name", "type", "description" };
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var typeElement)
                && typeElement.ValueKind == JsonValueKind.String && s_ruleTypes.TryGetValue(typeElement.GetString()!, out var parsedType))
            {
                type = parsedType;
                known.AddRange(s_ruleFields[parsedType]);
            }

            var reader = JsonFieldReader.Open(element, path, subject, "rules", problems, type is null ? known.Concat(s_ruleFields.Values.SelectMany(f => f)).Distinct().ToArray() : known);
            if (reader is null)
            {
                return null;
            }

            var name = reader.String("name", required: true);
            var description = reader.String("description", required: false);
            if (type is null)
            {
                // Reports the missing, mistyped or unknown type.
                reader.Enum("type", required: true, s_ruleTypes);
                return null;
            }

            var duplicate = name is not null && !_declaredRules.TryAdd(name, (type.Value, index));
            if (duplicate)
            {
                reader.Problem("name", $"duplicate rule name '{name}'");
            }

            var before = problems.Count;
            MatchmakingRule? rule = type.Value switch
            {
                RuleType.Comparison => ReadComparison(reader, name ?? "", description),
                RuleType.Distance => ReadDistance(reader, name ?? "", description),
                RuleType.BatchDistance => ReadBatchDistance(reader, name ?? "", description),
                RuleType.Collection => ReadCollection(reader, name ?? "", description),
                RuleType.Compound => ReadCompound(reader, name ?? "", description),
                RuleType.Latency => ReadLatency(reader, name ?? "", description),
                RuleType.AbsoluteSort => ReadSort(reader, name ?? "", description, absolute: true),
                RuleType.DistanceSort => ReadSort(reader, name ?? "", description, absolute: false),
                _ => null,
            };

            if (name is null || rule is null || duplicate)
            {
                return null;
            }

            _rules[name] = rule;
            return problems.Count > before ? null : rule;
        }

        private ComparisonRule? ReadComparison(JsonFieldReader reader, string name, string? description)
        {
            var measurements = ReadMeasurements(reader);
            var reference = ReadReferenceValue(reader, required: false);
            var operation = reader.Enum("operation", required: true, s_comparisonOperations);
            if (!reader.Has("referenceValue") && operation is not (null or ComparisonOperation.Equal or ComparisonOperation.NotEqual))
            {
                reader.Problem("operation", "without a referenceValue only \"=\" and \"!=\" (compare players with each other) are allowed");
            }

            var aggregation = reader.Enum("partyAggregation", required: false, s_numericAggregations) ?? PartyAggregation.Avg;
            return measurements is null || operation is null ? null
                : new ComparisonRule(name, description, measurements.Value, reference, operation.Value, aggregation);
        }

        private DistanceRule? ReadDistance(JsonFieldReader reader, string name, string? description)
        {
            var measurements = ReadMeasurements(reader);
            var reference = ReadReferenceValue(reader, required: true);
            if (reference is StringReferenceValue or StringListReferenceValue)
            {
                reader.Problem("referenceValue", "must be a number or a property expression");
                reference = null;
            }

            var minDistance = reader.Number("minDistance", required: false, min: 0);
            var maxDistance = reader.Number("maxDistance", required: false, min: 0);
            if (!reader.Has("minDistance") && !reader.Has("maxDistance"))
            {
                reader.Problem("maxDistance", "is required (or minDistance): a distance rule needs at least one bound");
            }

            if (minDistance > maxDistance)
            {
                reader.Problem("minDistance", $"must be ≤ maxDistance ({JsonFieldReader.Format(maxDistance!.Value)})");
            }

            var aggregation = reader.Enum("partyAggregation", required: false, s_numericAggregations) ?? PartyAggregation.Avg;
            return measurements is null || reference is null ? null
                : new DistanceRule(name, description, measurements.Value, reference, minDistance, maxDistance, aggregation);
        }

        private BatchDistanceRule? ReadBatchDistance(JsonFieldReader reader, string name, string? description)
        {
            var attribute = reader.String("batchAttribute", required: true);
            var declared = attribute is null ? null : CheckDeclared(reader, "batchAttribute", attribute, PlayerAttributeType.Number, PlayerAttributeType.String);
            var maxDistance = reader.Number("maxDistance", required: false, min: 0);
            if (declared?.Type == PlayerAttributeType.Number && !reader.Has("maxDistance"))
            {
                reader.Problem("maxDistance", $"is required for the number attribute '{attribute}'");
            }

            var aggregation = reader.Enum("partyAggregation", required: false, s_numericAggregations) ?? PartyAggregation.Avg;
            return attribute is null ? null : new BatchDistanceRule(name, description, attribute, maxDistance, aggregation);
        }

        private CollectionRule? ReadCollection(JsonFieldReader reader, string name, string? description)
        {
            var measurements = ReadMeasurements(reader);
            var operation = reader.Enum("operation", required: true, s_collectionOperations);
            var reference = ReadReferenceValue(reader, required: operation is CollectionOperation.Contains or CollectionOperation.ReferenceIntersectionCount);
            var minCount = reader.Number("minCount", required: false, min: 0, integer: true);
            var maxCount = reader.Number("maxCount", required: false, min: 0, integer: true);
            if (operation is CollectionOperation.Intersection or CollectionOperation.ReferenceIntersectionCount
                && !reader.Has("minCount") && !reader.Has("maxCount"))
            {
                reader.Problem("minCount", "is required (or maxCount) for this operation");
            }

            if (minCount > maxCount)
            {
                reader.Problem("minCount", $"must be ≤ maxCount ({JsonFieldReader.Format(maxCount!.Value)})");
            }

            var aggregation = reader.Enum("partyAggregation", required: false, s_collectionAggregations) ?? PartyAggregation.Union;
            return measurements is null || operation is null ? null
                : new CollectionRule(name, description, measurements.Value, reference, operation.Value, minCount, maxCount, aggregation);
        }

        private CompoundRule? ReadCompound(JsonFieldReader reader, string name, string? description)
        {
            var text = reader.String("statement", required: true);
            if (text is null)
            {
                return null;
            }

            if (!CompoundStatementParser.TryParse(text, out var statement, out var error))
            {
                reader.Problem("statement", error);
                return null;
            }

            return new CompoundRule(name, description, statement);
        }

        private LatencyRule? ReadLatency(JsonFieldReader reader, string name, string? description)
        {
            var maxLatency = reader.Number("maxLatency", required: true, min: 0, exclusiveMin: true);
            var maxDistance = reader.Number("maxDistance", required: false, min: 0);
            var reference = reader.Enum("distanceReference", required: false, s_distanceReferences) ?? LatencyDistanceReference.Min;
            return maxLatency is null ? null : new LatencyRule(name, description, maxLatency.Value, maxDistance, reference);
        }

        private MatchmakingRule? ReadSort(JsonFieldReader reader, string name, string? description, bool absolute)
        {
            var direction = reader.Enum("sortDirection", required: true, s_sortDirections);
            var attribute = reader.String("sortAttribute", required: true);
            var declared = attribute is null ? null
                : CheckDeclared(reader, "sortAttribute", attribute, PlayerAttributeType.Number, PlayerAttributeType.StringNumberMap);
            var mapKey = reader.Enum("mapKey", required: false, s_mapKeys);
            if (declared?.Type == PlayerAttributeType.StringNumberMap && !reader.Has("mapKey"))
            {
                reader.Problem("mapKey", $"is required for the string_number_map attribute '{attribute}'");
            }
            else if (declared?.Type == PlayerAttributeType.Number && reader.Has("mapKey"))
            {
                reader.Problem("mapKey", $"applies only to string_number_map attributes; '{attribute}' is a number");
            }

            var aggregation = reader.Enum("partyAggregation", required: false, s_numericAggregations) ?? PartyAggregation.Avg;
            if (direction is null || attribute is null)
            {
                return null;
            }

            return absolute
                ? new AbsoluteSortRule(name, description, direction.Value, attribute, mapKey, aggregation)
                : new DistanceSortRule(name, description, direction.Value, attribute, mapKey, aggregation);
        }

        private ImmutableArray<PropertyExpression>? ReadMeasurements(JsonFieldReader reader)
        {
            var raw = reader.Raw("measurements");
            if (raw is null)
            {
                reader.Problem("measurements", "is required");
                return null;
            }

            string[] texts;
            if (raw.Value.ValueKind == JsonValueKind.String)
            {
                texts = [raw.Value.GetString()!];
            }
            else if (raw.Value.ValueKind == JsonValueKind.Array && raw.Value.GetArrayLength() > 0
                && raw.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            {
                texts = [.. raw.Value.EnumerateArray().Select(e => e.GetString()!)];
            }
            else
            {
                reader.Problem("measurements", $"must be a property expression or a non-empty array of them, found {JsonFieldReader.Describe(raw.Value)}");
                return null;
            }

            var expressions = ImmutableArray.CreateBuilder<PropertyExpression>();
            foreach (var text in texts)
            {
                if (ParseExpression(reader, "measurements", text) is { } expression)
                {
                    expressions.Add(expression);
                }
            }

            return expressions.Count == texts.Length ? expressions.ToImmutable() : null;
        }

        private ReferenceValue? ReadReferenceValue(JsonFieldReader reader, bool required)
        {
            var raw = reader.Raw("referenceValue");
            if (raw is null)
            {
                if (required)
                {
                    reader.Problem("referenceValue", "is required");
                }

                return null;
            }

            var value = raw.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Number when JsonFieldReader.TryReadNumber(value, out var number):
                    return new NumberReferenceValue(number);
                case JsonValueKind.String when PropertyExpressionParser.LooksLikeExpression(value.GetString()!):
                    return ParseExpression(reader, "referenceValue", value.GetString()!) is { } expression
                        ? new ExpressionReferenceValue(expression)
                        : null;
                case JsonValueKind.String when JsonFieldReader.TryReadNumber(value, out var number):
                    return new NumberReferenceValue(number);
                case JsonValueKind.String:
                    return new StringReferenceValue(value.GetString()!);
                case JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                    return new StringListReferenceValue([.. value.EnumerateArray().Select(e => e.GetString()!)]);
                default:
                    reader.Problem("referenceValue",
                        $"must be a number, a string, an array of strings or a property expression, found {JsonFieldReader.Describe(value)}");
                    return null;
            }
        }

        private PropertyExpression? ParseExpression(JsonFieldReader reader, string field, string text)
        {
            if (!PropertyExpressionParser.TryParse(text, out var expression, out var error))
            {
                reader.Problem(field, error);
                return null;
            }

            var ok = true;
            foreach (var attribute in expression.Attributes.Distinct())
            {
                ok &= CheckDeclared(reader, field, attribute) is not null;
            }

            foreach (var team in expression.TeamNames.Distinct())
            {
                if (!_teams.ContainsKey(team))
                {
                    reader.Problem(field, $"refers to team '{team}', which the rule set does not declare (declared: {string.Join(", ", _teams.Keys)})");
                    ok = false;
                }
            }

            return ok ? expression : null;
        }

        private PlayerAttributeDefinition? CheckDeclared(JsonFieldReader reader, string field, string attribute, params PlayerAttributeType[] allowed)
        {
            if (!_attributes.TryGetValue(attribute, out var definition))
            {
                reader.Problem(field, $"refers to player attribute '{attribute}', which playerAttributes does not declare");
                return null;
            }

            if (allowed.Length > 0 && !allowed.Contains(definition.Type))
            {
                reader.Problem(field,
                    $"player attribute '{attribute}' is a {TypeName(definition.Type)}; expected {string.Join(" or ", allowed.Select(TypeName))}");
                return null;
            }

            return definition;
        }

        private void CheckCompoundReferences(ImmutableArray<MatchmakingRule> rules, string rulesPath)
        {
            foreach (var rule in rules)
            {
                if (rule is CompoundRule compound)
                {
                    foreach (var reference in References(compound.Statement))
                    {
                        var message = reference == compound.Name ? "refers to the compound rule itself"
                            : !_declaredRules.TryGetValue(reference, out var target) ? $"refers to unknown rule '{reference}'"
                            : target.Type == RuleType.Compound ? $"refers to compound rule '{reference}'; compound rules cannot be nested by name"
                            : null;
                        if (message is not null)
                        {
                            var position = $"{rulesPath}[{_declaredRules[compound.Name].Index}].statement";
                            problems.Add($"rule '{compound.Name}'", "statement", position, message);
                        }
                    }
                }
            }
        }

        private static IEnumerable<string> References(CompoundStatement statement) => statement switch
        {
            RuleReference reference => [reference.RuleName],
            CompoundOperation operation => operation.Operands.SelectMany(References),
            _ => [],
        };

        private RuleExpansion? ReadExpansion(JsonElement element, string path, int index)
        {
            var subject = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.String
                ? $"expansion '{t.GetString()}'"
                : $"expansion #{index}";
            var reader = JsonFieldReader.Open(element, path, subject, "expansions", problems, s_expansionFields);
            if (reader is null)
            {
                return null;
            }

            var before = problems.Count;
            var targetText = reader.String("target", required: true);
            ExpansionTarget? target = null;
            var integerValues = false;
            if (targetText is not null)
            {
                (target, integerValues) = ResolveTarget(reader, targetText);
            }

            var steps = ImmutableArray.CreateBuilder<ExpansionStep>();
            var rawSteps = reader.Raw("steps");
            if (rawSteps is null)
            {
                reader.Problem("steps", "is required");
            }
            else if (rawSteps.Value.ValueKind != JsonValueKind.Array || rawSteps.Value.GetArrayLength() == 0)
            {
                reader.Problem("steps", $"must be a non-empty array, found {JsonFieldReader.Describe(rawSteps.Value)}");
            }
            else
            {
                var stepIndex = 0;
                foreach (var stepElement in rawSteps.Value.EnumerateArray())
                {
                    var stepPath = $"{reader.PathOf("steps")}[{stepIndex}]";
                    var stepReader = JsonFieldReader.Open(stepElement, stepPath, subject, "steps", problems, s_stepFields);
                    if (stepReader is not null)
                    {
                        var wait = stepReader.Number("waitTimeSeconds", required: true, min: 0, exclusiveMin: true);
                        var value = stepReader.Number("value", required: true, min: 0, integer: integerValues);
                        if (wait is { } w && steps.Count > 0 && w <= steps[^1].WaitTimeSeconds)
                        {
                            stepReader.Problem("waitTimeSeconds",
                                $"must be greater than the previous step's ({JsonFieldReader.Format(steps[^1].WaitTimeSeconds)}); steps must increase in wait time");
                        }
                        else if (wait is { } ok && value is { } v)
                        {
                            steps.Add(new ExpansionStep(ok, v));
                        }
                    }

                    stepIndex++;
                }
            }

            return target is null || problems.Count > before ? null : new RuleExpansion(target, steps.ToImmutable());
        }

        private (ExpansionTarget? Target, bool IntegerValues) ResolveTarget(JsonFieldReader reader, string text)
        {
            var match = ExpansionTargetPattern().Match(text);
            if (!match.Success)
            {
                reader.Problem("target", $"'{text}' must look like rules[RuleName].property or teams[teamName].property");
                return (null, false);
            }

            var name = match.Groups[2].Value;
            var property = match.Groups[3].Value;
            if (match.Groups[1].Value == "teams")
            {
                if (!_teams.ContainsKey(name))
                {
                    reader.Problem("target", $"'{text}' refers to team '{name}', which the rule set does not declare");
                    return (null, false);
                }

                if (property is not ("minPlayers" or "maxPlayers"))
                {
                    reader.Problem("target", $"'{text}': team property '{property}' cannot be expanded (only minPlayers, maxPlayers)");
                    return (null, false);
                }

                return (new ExpansionTarget(ExpansionTargetKind.Team, name, property), true);
            }

            if (!_rules.TryGetValue(name, out var rule))
            {
                reader.Problem("target", $"'{text}' refers to rule '{name}', which the rule set does not declare");
                return (null, false);
            }

            var expandable = s_expandableRuleFields[rule.Type];
            if (!expandable.Contains(property))
            {
                var allowed = expandable.Length == 0 ? "none" : string.Join(", ", expandable);
                reader.Problem("target", $"'{text}': property '{property}' of a {rule.Type} rule cannot be expanded (expandable: {allowed})");
                return (null, false);
            }

            if (rule is ComparisonRule or DistanceRule && property == "referenceValue"
                && (rule is ComparisonRule { ReferenceValue: not NumberReferenceValue } || rule is DistanceRule { ReferenceValue: not NumberReferenceValue }))
            {
                reader.Problem("target", $"'{text}': only a numeric referenceValue can be expanded");
                return (null, false);
            }

            return (new ExpansionTarget(ExpansionTargetKind.Rule, name, property), rule is CollectionRule);
        }

        private static AttributeValue? ReadAttributeValue(JsonElement value, PlayerAttributeType type)
        {
            switch (type)
            {
                case PlayerAttributeType.Number:
                    return JsonFieldReader.TryReadNumber(value, out var number) ? new NumberAttributeValue(number) : null;
                case PlayerAttributeType.String:
                    return value.ValueKind == JsonValueKind.String ? new StringAttributeValue(value.GetString()!) : null;
                case PlayerAttributeType.StringList:
                    return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                        ? new StringListAttributeValue([.. value.EnumerateArray().Select(e => e.GetString()!)])
                        : null;
                case PlayerAttributeType.StringNumberMap:
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        return null;
                    }

                    var map = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
                    foreach (var property in value.EnumerateObject())
                    {
                        if (!JsonFieldReader.TryReadNumber(property.Value, out var entry) || property.Value.ValueKind != JsonValueKind.Number)
                        {
                            return null;
                        }

                        map[property.Name] = entry;
                    }

                    return new StringNumberMapAttributeValue(map.ToImmutable());
                default:
                    return null;
            }
        }

        private static string TypeName(PlayerAttributeType type) => s_attributeTypes.First(p => p.Value == type).Key;
    }

    private static class CompoundStatementParser
    {
        public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CompoundStatement? statement,
            [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
        {
            var position = 0;
            try
            {
                statement = ParseStatement(text, ref position);
                SkipSpaces(text, ref position);
                if (position < text.Length)
                {
                    throw new FormatException($"unexpected '{text[position..]}' at position {position}");
                }

                if (statement is RuleReference)
                {
                    throw new FormatException("must combine rules with and(...), or(...), not(...) or xor(...)");
                }

                error = null;
                return true;
            }
            catch (FormatException e)
            {
                statement = null;
                error = $"'{text}' is not a valid compound statement: {e.Message}";
                return false;
            }
        }

        private static CompoundStatement ParseStatement(string text, ref int position)
        {
            SkipSpaces(text, ref position);
            var start = position;
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '-' or '.'))
            {
                position++;
            }

            var word = text[start..position];
            if (word.Length == 0)
            {
                throw new FormatException($"expected a rule name or an operator at position {start}");
            }

            SkipSpaces(text, ref position);
            if (position >= text.Length || text[position] != '(')
            {
                return new RuleReference(word);
            }

            if (!s_compoundOperators.TryGetValue(word, out var op))
            {
                throw new FormatException($"unknown operator '{word}' at position {start} (expected and, or, not, xor)");
            }

            position++;
            var operands = ImmutableArray.CreateBuilder<CompoundStatement>();
            while (true)
            {
                operands.Add(ParseStatement(text, ref position));
                SkipSpaces(text, ref position);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }

                if (position < text.Length && text[position] == ')')
                {
                    position++;
                    break;
                }

                throw new FormatException($"expected ',' or ')' at position {position}");
            }

            if (op == CompoundOperator.Not && operands.Count != 1)
            {
                throw new FormatException($"not(...) takes exactly one operand, found {operands.Count}");
            }

            if (op != CompoundOperator.Not && operands.Count < 2)
            {
                throw new FormatException($"{word}(...) takes at least two operands, found {operands.Count}");
            }

            return new CompoundOperation(op, operands.ToImmutable());
        }

        private static void SkipSpaces(string text, ref int position)
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }
    }
}
