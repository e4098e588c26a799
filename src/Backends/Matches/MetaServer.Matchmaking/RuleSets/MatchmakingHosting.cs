using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.RuleSets;

/// <summary>Options bound from <c>MetaServer:Matchmaking</c>.</summary>
public sealed class MatchmakingOptions
{
    public const string SectionName = "MetaServer:Matchmaking";

    /// <summary>Matchmaking configurations by name (<c>MetaServer:Matchmaking:Configurations:&lt;name&gt;</c>).</summary>
    public Dictionary<string, MatchmakingConfigurationOptions> Configurations { get; } = new(StringComparer.Ordinal);
}

/// <summary>One matchmaking configuration as written in configuration.</summary>
public sealed class MatchmakingConfigurationOptions
{
    /// <summary>The FlexMatch rule set JSON file; relative paths are resolved against the host's content root. Required.</summary>
    public string? RuleSetPath { get; set; }

    /// <summary>The rule set's name; default: the rule set's own <c>name</c>, else the file name without extension.</summary>
    public string? RuleSetName { get; set; }

    public bool AcceptanceRequired { get; set; }

    /// <summary>Required (1-600) when <see cref="AcceptanceRequired"/> is true.</summary>
    public int? AcceptanceTimeoutSeconds { get; set; }

    /// <summary>1-43200; default 120.</summary>
    public int RequestTimeoutSeconds { get; set; } = 120;

    /// <summary>MANUAL or OFF (default, also empty); AUTOMATIC is refused.</summary>
    public string? BackfillMode { get; set; }

    public int AdditionalPlayerCount { get; set; }

    public string? CustomEventData { get; set; }

    public Dictionary<string, string> GameProperties { get; } = new(StringComparer.Ordinal);
}

/// <summary>A validated matchmaking configuration with its parsed rule set.</summary>
public sealed record MatchmakingDefinition(MatchmakingConfiguration Configuration, RuleSet RuleSet);

/// <summary>Every configured matchmaker, loaded and validated at start-up.</summary>
public sealed class MatchmakingCatalog(IReadOnlyDictionary<string, MatchmakingDefinition> definitions)
{
    public IReadOnlyDictionary<string, MatchmakingDefinition> Definitions { get; } = definitions;

    public MatchmakingDefinition? Find(string configurationName) => Definitions.GetValueOrDefault(configurationName);

    /// <summary>
    /// Validates every configuration in <paramref name="options"/> and parses its rule set file.
    /// <paramref name="problems"/> lists everything wrong (then the result is null), each line naming the configuration key.
    /// </summary>
    public static MatchmakingCatalog? TryLoad(MatchmakingOptions options, string? contentRoot, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = new List<string>();
        var definitions = new Dictionary<string, MatchmakingDefinition>(StringComparer.Ordinal);
        foreach (var (name, entry) in options.Configurations.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var key = $"{MatchmakingOptions.SectionName}:Configurations:{name}";
            if (string.IsNullOrWhiteSpace(entry.RuleSetPath))
            {
                list.Add($"{key}:RuleSetPath: is required");
                continue;
            }

            var path = contentRoot is null ? Path.GetFullPath(entry.RuleSetPath) : Path.GetFullPath(entry.RuleSetPath, contentRoot);
            RuleSet? ruleSet = null;
            try
            {
                ruleSet = RuleSetParser.ParseFile(path);
            }
            catch (RuleSetException e)
            {
                list.AddRange(e.Lines.Select(line => $"{key}:RuleSetPath: {line}"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                list.Add($"{key}:RuleSetPath: the rule set file '{path}' cannot be read: {e.Message}");
            }

            var ruleSetName = entry.RuleSetName
                ?? ruleSet?.Name
                ?? Path.GetFileNameWithoutExtension(path);
            var configuration = MatchmakingConfiguration.Create(
                name,
                ruleSetName,
                entry.AcceptanceRequired,
                entry.AcceptanceTimeoutSeconds,
                entry.RequestTimeoutSeconds,
                entry.BackfillMode,
                entry.AdditionalPlayerCount,
                entry.CustomEventData,
                entry.GameProperties.Select(p => new GameProperty(p.Key, p.Value)),
                out var configurationProblems);
            list.AddRange(configurationProblems.Select(p => $"{key}: {p}"));
            if (configuration is not null && ruleSet is not null)
            {
                definitions[name] = new MatchmakingDefinition(configuration, ruleSet);
            }
        }

        problems = list;
        return list.Count > 0 ? null : new MatchmakingCatalog(definitions.ToImmutableDictionary(StringComparer.Ordinal));
    }
}

public static class MatchmakingServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>MetaServer:Matchmaking</c> and registers the <see cref="MatchmakingCatalog"/> singleton. The options are
    /// validated on start: every configuration is checked and its rule set file parsed, and the host refuses to start
    /// with an <see cref="OptionsValidationException"/> listing every problem (configuration key, rule and field).
    /// </summary>
    public static IServiceCollection AddMatchmakingRuleSets(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MatchmakingOptions>().Bind(configuration.GetSection(MatchmakingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MatchmakingOptions>, MatchmakingOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MatchmakingOptions>>().Value;
            var catalog = MatchmakingCatalog.TryLoad(options, sp.GetService<IHostEnvironment>()?.ContentRootPath, out var problems);
            return catalog ?? throw new OptionsValidationException(
                MatchmakingOptions.SectionName, typeof(MatchmakingOptions), problems);
        });
        return services;
    }
}

/// <summary>Start-up check: loads and parses every configured rule set.</summary>
internal sealed class MatchmakingOptionsValidator(IServiceProvider services) : IValidateOptions<MatchmakingOptions>
{
    public ValidateOptionsResult Validate(string? name, MatchmakingOptions options)
    {
        var contentRoot = services.GetService<IHostEnvironment>()?.ContentRootPath;
        return MatchmakingCatalog.TryLoad(options, contentRoot, out var problems) is null
            ? ValidateOptionsResult.Fail(problems)
            : ValidateOptionsResult.Success;
    }
}
