using MetaServer.Matchmaking.Offline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>Which <see cref="IMatchmaker"/> runs (<c>MetaServer:Matchmaking:Kind</c>).</summary>
public sealed class MatchmakerSelectionOptions
{
    public const string SectionName = "MetaServer:Matchmaking";
    public const string Offline = "Offline";
    public const string GameLift = "GameLift";

    /// <summary><c>Offline</c> (default) or <c>GameLift</c>.</summary>
    public string? Kind { get; set; }
}

public static class MatchmakerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IMatchmaker"/> chosen by <c>MetaServer:Matchmaking:Kind</c>: <c>Offline</c> (default;
    /// <see cref="OfflineMatchmakerServiceCollectionExtensions.AddOfflineMatchmaker"/>, which needs an
    /// IMatchBuilderFactory) or <c>GameLift</c> (<see cref="GameLiftMatchmaker"/> over
    /// <see cref="GameLiftServiceCollectionExtensions.AddGameLiftClient"/>). Any other value makes the host refuse to
    /// start with an error naming the key and the allowed values.
    /// </summary>
    public static IServiceCollection AddMatchmaker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var kind = configuration.GetSection(MatchmakerSelectionOptions.SectionName)[nameof(MatchmakerSelectionOptions.Kind)];
        services.AddOptions<MatchmakerSelectionOptions>()
            .Bind(configuration.GetSection(MatchmakerSelectionOptions.SectionName))
            .Validate(
                o => IsKind(o.Kind, MatchmakerSelectionOptions.Offline) || IsKind(o.Kind, MatchmakerSelectionOptions.GameLift),
                $"{MatchmakerSelectionOptions.SectionName}:Kind: '{kind}' is not a matchmaker; use '{MatchmakerSelectionOptions.Offline}' (default) or '{MatchmakerSelectionOptions.GameLift}'")
            .ValidateOnStart();
        if (IsKind(kind, MatchmakerSelectionOptions.Offline))
        {
            services.AddOfflineMatchmaker(configuration);
        }
        else if (IsKind(kind, MatchmakerSelectionOptions.GameLift))
        {
            services.AddGameLiftClient(configuration);
            services.TryAddSingleton<GameLiftMatchmaker>();
            services.TryAddSingleton<IMatchmaker>(sp => sp.GetRequiredService<GameLiftMatchmaker>());
        }

        return services;
    }

    private static bool IsKind(string? value, string kind) =>
        kind == MatchmakerSelectionOptions.Offline && string.IsNullOrWhiteSpace(value)
        || string.Equals(value?.Trim(), kind, StringComparison.OrdinalIgnoreCase);
}
