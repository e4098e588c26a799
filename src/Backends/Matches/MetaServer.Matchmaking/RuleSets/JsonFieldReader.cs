using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace MetaServer.Matchmaking.RuleSets;

/// <summary>Collects problems while a rule set is read.</summary>
internal sealed class ProblemList
{
    private readonly List<RuleSetProblem> _problems = [];

    public IReadOnlyList<RuleSetProblem> Items => _problems;

    public int Count => _problems.Count;

    public void Add(string subject, string field, string jsonPath, string message) =>
        _problems.Add(new RuleSetProblem(subject, field, jsonPath, message));
}

/// <summary>Reads the fields of one JSON object, reporting unknown, missing and mistyped fields as problems.</summary>
internal sealed class JsonFieldReader
{
    private readonly JsonElement _element;
    private readonly ProblemList _problems;

    private JsonFieldReader(JsonElement element, string path, string subject, ProblemList problems)
    {
        _element = element;
        Path = path;
        Subject = subject;
        _problems = problems;
    }

    public string Path { get; }

    public string Subject { get; }

    /// <summary>A reader for <paramref name="element"/>, or null (with a problem) when it is not an object.</summary>
    public static JsonFieldReader? Open(
        JsonElement element, string path, string subject, string field, ProblemList problems, IReadOnlyCollection<string> knownFields)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(subject, field, path, $"must be an object, found {Describe(element)}");
            return null;
        }

        var reader = new JsonFieldReader(element, path, subject, problems);
        foreach (var property in element.EnumerateObject())
        {
            if (!knownFields.Contains(property.Name))
            {
                problems.Add(subject, property.Name, reader.PathOf(property.Name),
                    $"unknown field (expected one of: {string.Join(", ", knownFields)})");
            }
        }

        return reader;
    }

    public string PathOf(string field) => $"{Path}.{field}";

    public void Problem(string field, string message) => _problems.Add(Subject, field, PathOf(field), message);

    public bool Has(string field) => _element.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    public JsonElement? Raw(string field) =>
        _element.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string? String(string field, bool required)
    {
        var value = Raw(field);
        if (value is null)
        {
            if (required)
            {
                Problem(field, "is required");
            }

            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            Problem(field, $"must be a string, found {Describe(value.Value)}");
            return null;
        }

        var text = value.Value.GetString()!;
        if (required && text.Trim().Length == 0)
        {
            Problem(field, "must not be empty");
            return null;
        }

        return text;
    }

    /// <summary>A number (FlexMatch also accepts numbers written as strings), checked against the bounds.</summary>
    public double? Number(string field, bool required, double min = double.MinValue, bool exclusiveMin = false, bool integer = false)
    {
        var value = Raw(field);
        if (value is null)
        {
            if (required)
            {
                Problem(field, "is required");
            }

            return null;
        }

        return CheckNumber(value.Value, field, PathOf(field), min, exclusiveMin, integer);
    }

    public double? CheckNumber(JsonElement value, string field, string path, double min, bool exclusiveMin, bool integer)
    {
        var kind = integer ? "an integer" : "a number";
        var bound = min == double.MinValue ? "" : exclusiveMin ? $" > {Format(min)}" : $" ≥ {Format(min)}";
        if (!TryReadNumber(value, out var number) || (integer && number != Math.Floor(number))
            || number < min || (exclusiveMin && number <= min))
        {
            _problems.Add(Subject, field, path, $"must be {kind}{bound}, found {Describe(value)}");
            return null;
        }

        return number;
    }

    public T? Enum<T>(string field, bool required, IReadOnlyDictionary<string, T> values)
        where T : struct
    {
        var text = String(field, required);
        if (text is null)
        {
            return null;
        }

        if (!values.TryGetValue(text, out var result))
        {
            Problem(field, $"'{text}' is not one of: {string.Join(", ", values.Keys)}");
            return null;
        }

        return result;
    }

    /// <summary>An array of strings; null (with a problem) when it is not one.</summary>
    public ImmutableArray<string>? StringArray(string field, bool required)
    {
        var value = Raw(field);
        if (value is null)
        {
            if (required)
            {
                Problem(field, "is required");
            }

            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Array || value.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            Problem(field, $"must be an array of strings, found {Describe(value.Value)}");
            return null;
        }

        return [.. value.Value.EnumerateArray().Select(e => e.GetString()!)];
    }

    public static bool TryReadNumber(JsonElement value, out double number)
    {
        number = 0;
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetDouble(out number) && double.IsFinite(number);
        }

        return value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number)
            && double.IsFinite(number);
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString(),
    };

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
