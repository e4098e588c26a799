using MetaServer.Matchmaking.RuleSets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Service;

/// <summary>Options of the matches service, bound from <c>MetaServer:Matches</c> and validated at start-up.</summary>
public sealed class MatchesOptions
{
    public const string SectionName = "MetaServer:Matches";

    /// <summary>The game modes players can queue for, by game-config game mode id (<c>MetaServer:Matches:GameModes:&lt;id&gt;</c>).</summary>
    public Dictionary<string, GameModeMatchmakingOptions> GameModes { get; } = new(StringComparer.Ordinal);

    /// <summary>Longest a match keeps its players busy: after this (from hand-off) they may queue again even without results. Default 1 hour.</summary>
    public TimeSpan MaxMatchDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long ticket records are kept in the store after their last change. Default 1 day.</summary>
    public TimeSpan TicketRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A ticket recorded but never confirmed submitted to the matchmaker (the service stopped in between) stops
    /// holding its players after this. Default 2 minutes.
    /// </summary>
    public TimeSpan SubmitGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Extra time after a ticket's request timeout (and acceptance timeout) before a ticket whose final event never
    /// came stops holding its players. Default 5 minutes.
    /// </summary>
    public TimeSpan EventGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Nicknames given to bots, in turn. Default: a built-in list.</summary>
    public List<string> BotNicknames { get; } = [];

    /// <summary>Conditional-write attempts before a handler gives up and lets the message be redelivered. Default 8.</summary>
    public int MaxUpdateAttempts { get; set; } = 8;

    internal static readonly string[] DefaultBotNicknames =
        ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo", "Lima"];

    internal IReadOnlyList<string> EffectiveBotNicknames => BotNicknames.Count > 0 ? BotNicknames : DefaultBotNicknames;
}

/// <summary>Matchmaking settings of one game mode.</summary>
public sealed class GameModeMatchmakingOptions
{
    /// <summary>The matchmaking configuration name (<c>MetaServer:Matchmaking:Configurations</c>). Required.</summary>
    public string? Configuration { get; set; }

    /// <summary>The maps a match of this mode is played on (one picked per match). At least one.</summary>
    public List<string> Maps { get; } = [];

    /// <summary>Whether empty slots get bots; null (default): the game config's <c>fillWithBots</c> of the mode.</summary>
    public bool? FillWithBots { get; set; }
}

/// <summary>Start-up check of <see cref="MatchesOptions"/> against the game config and the matchmaking catalog.</summary>
internal sealed class MatchesOptionsValidator(IServiceProvider services) : IValidateOptions<MatchesOptions>
{
    public ValidateOptionsResult Validate(string? name, MatchesOptions options)
    {
        var config = services.GetRequiredService<GameConfig.GameConfig>();
        var catalog = services.GetRequiredService<MatchmakingCatalog>();
        var problems = Check(options, config, catalog);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    internal static List<string> Check(MatchesOptions options, GameConfig.GameConfig config, MatchmakingCatalog catalog)
    {
        var problems = new List<string>();
        const string section = MatchesOptions.SectionName;
        if (options.MaxMatchDuration <= TimeSpan.Zero)
        {
            problems.Add($"{section}:MaxMatchDuration: must be positive");
        }

        if (options.TicketRetention < TimeSpan.FromMinutes(1))
        {
            problems.Add($"{section}:TicketRetention: must be at least 1 minute");
        }

        if (options.SubmitGrace <= TimeSpan.Zero)
        {
            problems.Add($"{section}:SubmitGrace: must be positive");
        }

        if (options.EventGrace < TimeSpan.Zero)
        {
            problems.Add($"{section}:EventGrace: must not be negative");
        }

        if (options.MaxUpdateAttempts is < 1 or > 100)
        {
            problems.Add($"{section}:MaxUpdateAttempts: must be 1 to 100");
        }

        if (options.BotNicknames.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add($"{section}:BotNicknames: must not contain blank names");
        }

        foreach (var (mode, entry) in options.GameModes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var key = $"{section}:GameModes:{mode}";
            if (config.FindGameMode(mode) is null)
            {
                problems.Add($"{key}: '{mode}' is not a game mode of the game config");
            }

            if (string.IsNullOrWhiteSpace(entry.Configuration))
            {
                problems.Add($"{key}:Configuration: is required");
            }
            else if (catalog.Find(entry.Configuration) is null)
            {
                problems.Add($"{key}:Configuration: '{entry.Configuration}' is not a matchmaking configuration (MetaServer:Matchmaking:Configurations)");
            }

            if (entry.Maps.Count == 0)
            {
                problems.Add($"{key}:Maps: at least one map is required");
            }
            else if (entry.Maps.Any(string.IsNullOrWhiteSpace))
            {
                problems.Add($"{key}:Maps: must not contain blank names");
            }
        }

        return problems;
    }
}
