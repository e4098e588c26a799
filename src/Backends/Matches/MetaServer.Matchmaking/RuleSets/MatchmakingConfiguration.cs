using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace MetaServer.Matchmaking.RuleSets;

/// <summary>How a matchmaking configuration fills games that lose players. GameLift's AUTOMATIC is not supported offline.</summary>
public enum BackfillMode
{
    /// <summary>No backfill (GameLift: BackfillMode not set).</summary>
    Off,

    /// <summary>The game asks for backfill explicitly (GameLift: MANUAL).</summary>
    Manual,
}

/// <summary>A game property handed to every game session the configuration creates.</summary>
public sealed record GameProperty(string Key, string Value);

/// <summary>
/// A matchmaking configuration in GameLift's terms (standalone FlexMatch): the rule set it uses, acceptance,
/// request timeout and backfill. Create it with <see cref="Create"/>, which validates every field.
/// </summary>
public sealed partial record MatchmakingConfiguration
{
    public const int MaxAcceptanceTimeoutSeconds = 600;
    public const int MaxRequestTimeoutSeconds = 43200;
    public const int MaxCustomEventDataLength = 256;
    public const int MaxGameProperties = 16;
    public const int MaxGamePropertyKeyLength = 32;
    public const int MaxGamePropertyValueLength = 96;

    private MatchmakingConfiguration(
        string name,
        string ruleSetName,
        bool acceptanceRequired,
        int? acceptanceTimeoutSeconds,
        int requestTimeoutSeconds,
        BackfillMode backfillMode,
        int additionalPlayerCount,
        string? customEventData,
        ImmutableArray<GameProperty> gameProperties)
    {
        Name = name;
        RuleSetName = ruleSetName;
        AcceptanceRequired = acceptanceRequired;
        AcceptanceTimeoutSeconds = acceptanceTimeoutSeconds;
        RequestTimeoutSeconds = requestTimeoutSeconds;
        BackfillMode = backfillMode;
        AdditionalPlayerCount = additionalPlayerCount;
        CustomEventData = customEventData;
        GameProperties = gameProperties;
    }

    public string Name { get; }

    public string RuleSetName { get; }

    public bool AcceptanceRequired { get; }

    /// <summary>Seconds players have to accept a proposed match; set exactly when <see cref="AcceptanceRequired"/>.</summary>
    public int? AcceptanceTimeoutSeconds { get; }

    public int RequestTimeoutSeconds { get; }

    public BackfillMode BackfillMode { get; }

    public int AdditionalPlayerCount { get; }

    public string? CustomEventData { get; }

    public ImmutableArray<GameProperty> GameProperties { get; }

    /// <summary>Validates the values; <paramref name="problems"/> lists every one that is wrong (then the result is null).</summary>
    /// <param name="backfillMode">"MANUAL", "OFF" or empty (off); "AUTOMATIC" is rejected as unsupported.</param>
    public static MatchmakingConfiguration? Create(
        string name,
        string ruleSetName,
        bool acceptanceRequired,
        int? acceptanceTimeoutSeconds,
        int requestTimeoutSeconds,
        string? backfillMode,
        int additionalPlayerCount,
        string? customEventData,
        IEnumerable<GameProperty>? gameProperties,
        out IReadOnlyList<string> problems)
    {
        var list = new List<string>();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128 || !NamePattern().IsMatch(name))
        {
            list.Add($"Name '{name}': must be 1-128 characters of letters, digits, '-' and '.'");
        }

        if (string.IsNullOrWhiteSpace(ruleSetName))
        {
            list.Add("RuleSetName: is required");
        }

        if (acceptanceRequired && acceptanceTimeoutSeconds is null)
        {
            list.Add("AcceptanceTimeoutSeconds: is required when AcceptanceRequired is true");
        }
        else if (acceptanceTimeoutSeconds is { } acceptance && (acceptance < 1 || acceptance > MaxAcceptanceTimeoutSeconds))
        {
            list.Add($"AcceptanceTimeoutSeconds: must be between 1 and {MaxAcceptanceTimeoutSeconds}, found {acceptance}");
        }

        if (requestTimeoutSeconds < 1 || requestTimeoutSeconds > MaxRequestTimeoutSeconds)
        {
            list.Add($"RequestTimeoutSeconds: must be between 1 and {MaxRequestTimeoutSeconds}, found {requestTimeoutSeconds}");
        }

        var mode = BackfillMode.Off;
        switch (backfillMode?.Trim().ToUpperInvariant())
        {
            case null or "" or "OFF" or "NONE":
                break;
            case "MANUAL":
                mode = BackfillMode.Manual;
                break;
            case "AUTOMATIC":
                list.Add("BackfillMode: AUTOMATIC is not supported by the offline matchmaker; use MANUAL or leave it off");
                break;
            default:
                list.Add($"BackfillMode: '{backfillMode}' is not one of MANUAL, OFF");
                break;
        }

        if (additionalPlayerCount < 0)
        {
            list.Add($"AdditionalPlayerCount: must be ≥ 0, found {additionalPlayerCount}");
        }

        if (customEventData is { Length: > MaxCustomEventDataLength })
        {
            list.Add($"CustomEventData: must be at most {MaxCustomEventDataLength} characters, found {customEventData.Length}");
        }

        var properties = (gameProperties ?? []).ToImmutableArray();
        if (properties.Length > MaxGameProperties)
        {
            list.Add($"GameProperties: at most {MaxGameProperties} are allowed, found {properties.Length}");
        }

        foreach (var property in properties)
        {
            if (string.IsNullOrEmpty(property.Key) || property.Key.Length > MaxGamePropertyKeyLength)
            {
                list.Add($"GameProperties '{property.Key}': keys must be 1-{MaxGamePropertyKeyLength} characters");
            }

            if (property.Value.Length > MaxGamePropertyValueLength)
            {
                list.Add($"GameProperties '{property.Key}': values must be at most {MaxGamePropertyValueLength} characters");
            }
        }

        problems = list;
        return list.Count > 0 ? null : new MatchmakingConfiguration(
            name, ruleSetName, acceptanceRequired, acceptanceRequired ? acceptanceTimeoutSeconds : null, requestTimeoutSeconds,
            mode, additionalPlayerCount, customEventData, properties);
    }

    [GeneratedRegex(@"^[a-zA-Z0-9\-\.]+$")]
    private static partial Regex NamePattern();
}
