using System.Text.Json;
using System.Text.RegularExpressions;

namespace MetaServer.GameConfig;

/// <summary>A schema violation: where (path and its segments, for the loader to set the value aside) and what.</summary>
/// <summary>
/// A schema violation: where (path, and its segments so the loader can set the value aside) and what.
/// <see cref="Unreadable"/>: the value has the wrong type or is not one of the allowed values, so it cannot be read
/// into the model; <see cref="MissingProperty"/>: the path is the object a required property is missing from.
/// </summary>
internal sealed record SchemaProblem(string Path, IReadOnlyList<object> Segments, bool AtPropertyName, bool MissingProperty, string Message)
{
    public bool Unreadable { get; init; }
}

/// <summary>
/// Checks a document against <c>config/game-config.schema.json</c> and words each violation for designers.
/// Evaluates the JSON Schema 2020-12 vocabulary the config schema uses (type, enum, const, properties, required,
/// additionalProperties, items, minItems, maxItems, uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
/// minLength, maxLength, pattern, local $ref to $defs); a schema using any other keyword is rejected when loaded,
/// so the schema cannot silently promise a rule that is not checked.
/// </summary>
internal sealed class GameConfigSchema
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default", "deprecated",
    };

    private static readonly HashSet<string> Assertions = new(StringComparer.Ordinal)
    {
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern",
    };

    private static readonly Lazy<GameConfigSchema> BundledSchema = new(() => new GameConfigSchema(GameConfigLoader.ReadBundledSchemaBytes()));

    private readonly JsonElement _root;
    private readonly Dictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    public GameConfigSchema(byte[] schemaUtf8)
    {
        using var document = JsonDocument.Parse(schemaUtf8);
        _root = document.RootElement.Clone();
        CheckSupported(_root, "#");
    }

    /// <summary>The schema bundled in this assembly.</summary>
    public static GameConfigSchema Bundled => BundledSchema.Value;

    public List<SchemaProblem> Validate(JsonElement instance)
    {
        var problems = new List<SchemaProblem>();
        Evaluate(instance, _root, JsonPaths.Root, [], problems);
        return problems;
    }

    private void CheckSupported(JsonElement schema, string location)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"The game config schema at {location} must be an object or a boolean.");
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Annotations.Contains(keyword.Name) && !Assertions.Contains(keyword.Name))
            {
                throw new InvalidOperationException($"The game config schema uses the keyword '{keyword.Name}' at {location}, which the validator does not evaluate.");
            }

            switch (keyword.Name)
            {
                case "$defs" or "properties":
                    foreach (var sub in keyword.Value.EnumerateObject())
                    {
                        CheckSupported(sub.Value, $"{location}/{keyword.Name}/{sub.Name}");
                    }

                    break;
                case "items" or "additionalProperties":
                    CheckSupported(keyword.Value, $"{location}/{keyword.Name}");
                    break;
                case "$ref":
                    _ = Resolve(keyword.Value.GetString()!);
                    break;
                case "pattern":
                    _patterns[keyword.Value.GetString()!] = new Regex(keyword.Value.GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                    break;
                default:
                    break;
            }
        }
    }

    private JsonElement Resolve(string reference)
    {
        const string Prefix = "#/$defs/";
        if (!reference.StartsWith(Prefix, StringComparison.Ordinal)
            || !_root.TryGetProperty("$defs", out var defs)
            || !defs.TryGetProperty(reference[Prefix.Length..], out var target))
        {
            throw new InvalidOperationException($"The game config schema refers to '{reference}', which is not one of its $defs.");
        }

        return target;
    }

    private void Evaluate(JsonElement instance, JsonElement schema, string path, List<object> segments, List<SchemaProblem> problems)
    {
        if (schema.ValueKind == JsonValueKind.False)
        {
            problems.Add(new SchemaProblem(path, [.. segments], false, false, "no value is allowed here"));
            return;
        }

        if (schema.ValueKind == JsonValueKind.True)
        {
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            Evaluate(instance, Resolve(reference.GetString()!), path, segments, problems);
        }

        var subject = schema.TryGetProperty("title", out var title) ? "the " + title.GetString() : "the value";
        if (schema.TryGetProperty("type", out var type) && !MatchesType(instance, type))
        {
            problems.Add(Problem(path, segments, $"{subject} must be {DescribeTypes(type)}, but it is {DescribeValue(instance)}") with { Unreadable = true });
            return;
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(instance, constant))
        {
            problems.Add(Problem(path, segments, $"{subject} must be {constant.GetRawText()} (found {Short(instance)})") with { Unreadable = true });
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, instance)))
        {
            var choices = string.Join(", ", allowed.EnumerateArray().Select(a => a.GetRawText()));
            problems.Add(Problem(path, segments, $"{Short(instance)} is not allowed here; use one of {choices}") with { Unreadable = true });
        }

        switch (instance.ValueKind)
        {
            case JsonValueKind.Object:
                EvaluateObject(instance, schema, path, segments, problems);
                break;
            case JsonValueKind.Array:
                EvaluateArray(instance, schema, subject, path, segments, problems);
                break;
            case JsonValueKind.String:
                EvaluateString(instance.GetString()!, schema, subject, path, segments, problems);
                break;
            case JsonValueKind.Number:
                EvaluateNumber(instance, schema, subject, path, segments, problems);
                break;
            default:
                break;
        }
    }

    private void EvaluateObject(JsonElement instance, JsonElement schema, string path, List<object> segments, List<SchemaProblem> problems)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!instance.TryGetProperty(name, out _))
                {
                    problems.Add(new SchemaProblem(path, [.. segments], false, true, $"the required property \"{name}\" is missing"));
                }
            }
        }

        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in instance.EnumerateObject())
        {
            var childPath = JsonPaths.Property(path, property.Name);
            segments.Add(property.Name);
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Evaluate(property.Value, propertySchema, childPath, segments, problems);
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                var known = hasProperties ? properties.EnumerateObject().Select(p => p.Name).ToList() : [];
                problems.Add(new SchemaProblem(childPath, [.. segments], true, false, UnknownPropertyMessage(property.Name, known)));
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Evaluate(property.Value, additional, childPath, segments, problems);
            }

            segments.RemoveAt(segments.Count - 1);
        }
    }

    private void EvaluateArray(JsonElement instance, JsonElement schema, string subject, string path, List<object> segments, List<SchemaProblem> problems)
    {
        var count = instance.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var minItems) && count < minItems.GetInt32())
        {
            problems.Add(Problem(path, segments, minItems.GetInt32() == 1
                ? $"{subject} must not be empty: add at least one entry"
                : $"{subject} needs at least {minItems.GetInt32()} entries (found {count})"));
        }

        if (schema.TryGetProperty("maxItems", out var maxItems) && count > maxItems.GetInt32())
        {
            problems.Add(Problem(path, segments, $"{subject} can have at most {maxItems.GetInt32()} entries (found {count})"));
        }

        var elements = instance.EnumerateArray().ToList();
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            for (var i = 1; i < elements.Count; i++)
            {
                var first = elements.FindIndex(0, i, e => JsonElement.DeepEquals(e, elements[i]));
                if (first >= 0)
                {
                    segments.Add(i);
                    problems.Add(Problem(JsonPaths.Index(path, i), segments, $"{Short(elements[i])} is listed twice (also at {JsonPaths.Index(path, first)})"));
                    segments.RemoveAt(segments.Count - 1);
                }
            }
        }

        if (schema.TryGetProperty("items", out var items))
        {
            for (var i = 0; i < elements.Count; i++)
            {
                segments.Add(i);
                Evaluate(elements[i], items, JsonPaths.Index(path, i), segments, problems);
                segments.RemoveAt(segments.Count - 1);
            }
        }
    }

    private void EvaluateString(string value, JsonElement schema, string subject, string path, List<object> segments, List<SchemaProblem> problems)
    {
        var length = value.EnumerateRunes().Count();
        if (schema.TryGetProperty("minLength", out var minLength) && length < minLength.GetInt32())
        {
            problems.Add(Problem(path, segments, minLength.GetInt32() == 1
                ? $"{subject} must not be empty"
                : $"{subject} needs at least {minLength.GetInt32()} characters (found {length})"));
        }

        if (schema.TryGetProperty("maxLength", out var maxLength) && length > maxLength.GetInt32())
        {
            problems.Add(Problem(path, segments, $"{subject} can have at most {maxLength.GetInt32()} characters (found {length})"));
        }

        if (schema.TryGetProperty("pattern", out var pattern) && !MatchesPattern(value, pattern.GetString()!))
        {
            var hint = schema.TryGetProperty("description", out var description) ? ": " + description.GetString() : string.Empty;
            problems.Add(Problem(path, segments, $"\"{value}\" does not have the required form{hint}"));
        }
    }

    private static void EvaluateNumber(JsonElement instance, JsonElement schema, string subject, string path, List<object> segments, List<SchemaProblem> problems)
    {
        var value = instance.GetDouble();
        var found = instance.GetRawText();
        if (schema.TryGetProperty("minimum", out var minimum) && value < minimum.GetDouble())
        {
            problems.Add(Problem(path, segments, $"{subject} must be at least {minimum.GetRawText()} (found {found})"));
        }

        if (schema.TryGetProperty("exclusiveMinimum", out var exclusiveMinimum) && value <= exclusiveMinimum.GetDouble())
        {
            problems.Add(Problem(path, segments, $"{subject} must be more than {exclusiveMinimum.GetRawText()} (found {found})"));
        }

        if (schema.TryGetProperty("maximum", out var maximum) && value > maximum.GetDouble())
        {
            problems.Add(Problem(path, segments, $"{subject} must be at most {maximum.GetRawText()} (found {found})"));
        }

        if (schema.TryGetProperty("exclusiveMaximum", out var exclusiveMaximum) && value >= exclusiveMaximum.GetDouble())
        {
            problems.Add(Problem(path, segments, $"{subject} must be less than {exclusiveMaximum.GetRawText()} (found {found})"));
        }
    }

    private bool MatchesPattern(string value, string pattern)
    {
        try
        {
            return _patterns[pattern].IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static SchemaProblem Problem(string path, List<object> segments, string message) =>
        new(path, [.. segments], false, false, message);

    private static bool MatchesType(JsonElement instance, JsonElement type) =>
        type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => MatchesType(instance, t.GetString()!))
            : MatchesType(instance, type.GetString()!);

    private static bool MatchesType(JsonElement instance, string type) => type switch
    {
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => instance.ValueKind == JsonValueKind.Null,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number && IsInteger(instance),
        _ => throw new InvalidOperationException($"The game config schema uses the unknown type '{type}'."),
    };

    private static bool IsInteger(JsonElement number) =>
        number.TryGetInt64(out _)
        || (number.TryGetDecimal(out var d) && decimal.Truncate(d) == d);

    private static string DescribeTypes(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array
            ? string.Join(" or ", type.EnumerateArray().Select(t => DescribeType(t.GetString()!)))
            : DescribeType(type.GetString()!);

    private static string DescribeType(string type) => type switch
    {
        "object" => "an object ({ ... })",
        "array" => "a list ([ ... ])",
        "string" => "text in quotes",
        "boolean" => "true or false",
        "null" => "null",
        "number" => "a number",
        "integer" => "a whole number",
        _ => type,
    };

    private static string DescribeValue(JsonElement instance) => instance.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "the text " + Short(instance),
        JsonValueKind.Number => IsInteger(instance) ? "the number " + instance.GetRawText() : "the fractional number " + instance.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => instance.GetRawText(),
        _ => "null",
    };

    private static string Short(JsonElement instance)
    {
        var text = instance.GetRawText();
        return text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
    }

    private static string UnknownPropertyMessage(string name, List<string> known)
    {
        var message = $"unknown property \"{name}\"";
        var closest = known
            .Select(k => (Name: k, Distance: EditDistance(name, k)))
            .Where(k => k.Distance <= Math.Max(1, k.Name.Length / 3))
            .OrderBy(k => k.Distance)
            .Select(k => k.Name)
            .FirstOrDefault();
        if (closest is not null)
        {
            return message + $"; did you mean \"{closest}\"?";
        }

        return known.Count == 0
            ? message + "; this object takes no properties"
            : message + "; allowed here: " + string.Join(", ", known.Select(k => $"\"{k}\""));
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
