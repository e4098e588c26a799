using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MetaServer.GameConfig;

/// <summary>
/// Loads and validates game config files: malformed JSON, schema violations (<c>config/game-config.schema.json</c>)
/// and cross-reference checks, every problem reported with its JSON path, line, column and a plain-language message.
/// </summary>
public static class GameConfigLoader
{
    /// <summary>Name the bundled sample reports problems under.</summary>
    public const string BundledSourceName = "game-config.json";

    internal const string ConfigResourceName = "MetaServer.GameConfig.game-config.json";
    internal const string SchemaResourceName = "MetaServer.GameConfig.game-config.schema.json";

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    internal static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>Loads the config file at <paramref name="path"/>; an unreadable file throws (<see cref="IOException"/> and friends).</summary>
    public static GameConfigValidationResult Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = File.ReadAllBytes(path);
        return Parse(bytes, path);
    }

    /// <summary>Loads the sample config bundled in this assembly (the default of the embedded mode).</summary>
    public static GameConfigValidationResult LoadBundled() => Parse(ReadBundledConfigBytes(), BundledSourceName);

    /// <summary>The bundled sample config file's bytes.</summary>
    public static byte[] ReadBundledConfigBytes() => ReadResource(ConfigResourceName);

    /// <summary>The bundled JSON Schema's bytes (identical to <c>config/game-config.schema.json</c>).</summary>
    public static byte[] ReadBundledSchemaBytes() => ReadResource(SchemaResourceName);

    /// <summary>First 16 lowercase hex digits of the SHA-256 of <paramref name="utf8"/>.</summary>
    public static string ComputeHash(ReadOnlySpan<byte> utf8) =>
        Convert.ToHexStringLower(SHA256.HashData(utf8))[..16];

    /// <summary>Parses and validates a config; <paramref name="sourceName"/> names the file in problems.</summary>
    public static GameConfigValidationResult Parse(ReadOnlySpan<byte> utf8, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        var hash = ComputeHash(utf8);
        var body = utf8.StartsWith(Utf8Bom) ? utf8[Utf8Bom.Length..].ToArray() : utf8.ToArray();
        var map = JsonPositionMap.Build(body);
        var problems = new ProblemList(sourceName, map);
        if (map.SyntaxError is { } syntax)
        {
            problems.AddAt(syntax.Path, syntax.Position, syntax.Message);
            return new GameConfigValidationResult(null, problems.Sorted());
        }

        foreach (var (path, position, name) in map.DuplicateProperties)
        {
            problems.AddAt(path, position, $"the property \"{name}\" appears more than once in this object");
        }

        using var document = JsonDocument.Parse(body);
        var schemaProblems = GameConfigSchema.Bundled.Validate(document.RootElement);
        var crossProblems = new ProblemList(sourceName, map);
        var (parsed, unreadablePath) = ReadModel(body, schemaProblems);
        if (parsed is not null)
        {
            ConfigChecks.Run(parsed, crossProblems);
        }

        // Values the schema could not read were set aside (and required ones are missing), so checks of the object
        // that held them may be about the gap: drop those. Where both found something at the same path, the
        // cross-reference check knows more and speaks for both.
        var gaps = schemaProblems
            .Where(p => p.Unreadable || p.MissingProperty)
            .Select(p => p.MissingProperty ? p.Path : JsonPaths.Parent(p.Path) ?? JsonPaths.Root)
            .ToList();
        var crossPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var problem in crossProblems.Sorted())
        {
            if (!gaps.Any(gap => JsonPaths.IsSameOrInside(problem.JsonPath, gap)))
            {
                problems.AddAt(problem.JsonPath, new TextPosition(problem.Line, problem.Column), problem.Message);
                crossPaths.Add(problem.JsonPath);
            }
        }

        foreach (var problem in schemaProblems.Where(p => !crossPaths.Contains(p.Path)))
        {
            if (problem.AtPropertyName)
            {
                problems.AddAtName(problem.Path, problem.Message);
            }
            else
            {
                problems.Add(problem.Path, problem.Message);
            }
        }

        if (parsed is null && problems.Count == 0)
        {
            // The schema found nothing, yet the model cannot hold a value: a number too large for it.
            problems.Add(unreadablePath ?? JsonPaths.Root, "this value cannot be used: it is too large or not a plain whole number");
        }

        if (parsed is null || problems.Count > 0)
        {
            return new GameConfigValidationResult(null, problems.Sorted());
        }

        var config = new GameConfig(
            parsed.Version,
            hash,
            parsed.Currencies,
            parsed.Items,
            parsed.Starting,
            parsed.StoreOffers,
            parsed.Quests,
            parsed.DailyLogin,
            parsed.GameModes,
            parsed.MatchRewards,
            parsed.Levels,
            parsed.Limits,
            parsed.RealMoneyOffers);
        return new GameConfigValidationResult(config, []);
    }

    /// <summary>
    /// Reads the model with the values the schema found unreadable (wrong type, unknown enum value) set aside, so
    /// the cross-reference checks still run on the rest; null when the document still cannot be read.
    /// </summary>
    private static (GameConfigDocument? Document, string? UnreadablePath) ReadModel(byte[] body, List<SchemaProblem> schemaProblems)
    {
        if (JsonNode.Parse(body) is not JsonObject root)
        {
            return (null, null);
        }

        foreach (var problem in schemaProblems.Where(p => p.Unreadable))
        {
            if (problem.Segments.Count == 0)
            {
                return (null, null);
            }

            JsonNode? parent = root;
            foreach (var segment in problem.Segments.Take(problem.Segments.Count - 1))
            {
                parent = segment is int index ? parent?.AsArray()[index] : parent?.AsObject()[(string)segment];
            }

            switch (parent, problem.Segments[^1])
            {
                case (JsonObject obj, string name):
                    obj.Remove(name);
                    break;
                case (JsonArray array, int index):
                    array[index] = null;
                    break;
                default:
                    break;
            }
        }

        try
        {
            return (root.Deserialize<GameConfigDocument>(SerializerOptions), null);
        }
        catch (JsonException e)
        {
            return (null, string.IsNullOrEmpty(e.Path) ? null : e.Path);
        }
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = typeof(GameConfigLoader).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource '{name}' is missing from {typeof(GameConfigLoader).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>The file's shape, as deserialized before the checks; <see cref="GameConfig"/> is built from it.</summary>
internal sealed record GameConfigDocument(
    string Version,
    ImmutableArray<CurrencyDef> Currencies,
    ImmutableArray<ItemDef> Items,
    StartingGrant Starting,
    ImmutableArray<StoreOffer> StoreOffers,
    ImmutableArray<QuestDef> Quests,
    DailyLoginDef DailyLogin,
    ImmutableArray<GameModeDef> GameModes,
    ImmutableArray<MatchRewardDef> MatchRewards,
    LevelCurve Levels,
    LimitsDef Limits,
    ImmutableArray<RealMoneyOffer> RealMoneyOffers = default);

/// <summary>Collects problems, placing each at the line and column of its JSON path.</summary>
internal sealed class ProblemList(string source, JsonPositionMap map)
{
    private readonly List<ConfigProblem> _problems = [];

    public int Count => _problems.Count;

    /// <summary>A problem about the value at <paramref name="path"/>.</summary>
    public void Add(string path, string message) => AddAt(path, map.ValueAt(path), message);

    /// <summary>A problem about the property name at <paramref name="path"/> (e.g. an unknown property).</summary>
    public void AddAtName(string path, string message) => AddAt(path, map.NameAt(path), message);

    public void AddAt(string path, TextPosition position, string message) =>
        _problems.Add(new ConfigProblem(path, position.Line, position.Column, message, source));

    public IReadOnlyList<ConfigProblem> Sorted() =>
        [.. _problems.OrderBy(p => p.Line).ThenBy(p => p.Column)];
}
