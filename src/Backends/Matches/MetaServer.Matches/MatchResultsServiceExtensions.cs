using MetaServer.Matches.Leaderboards;
using MetaServer.Matches.Rating;
using MetaServer.Matches.Results;
using MetaServer.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches;

public static class MatchResultsServiceExtensions
{
    /// <summary>Section of <see cref="RatingOptions"/>.</summary>
    public const string RatingSectionName = "MetaServer:Matches:Rating";

    /// <summary>
    /// Registers match result processing (<see cref="GameServerReportHandler"/> on <c>matches.game-server-report</c>)
    /// and the leaderboard read (<see cref="GetLeaderboardHandler"/> on <c>matches.get-leaderboard</c>) as
    /// <see cref="IMessageHandler"/>s, with validated <see cref="MatchResultsOptions"/> (<c>MetaServer:Matches:Results</c>),
    /// <see cref="LeaderboardOptions"/> (<c>MetaServer:Matches:Leaderboards</c>), <see cref="LeaderboardSeasons"/>,
    /// a <see cref="RatingModel"/> from <c>MetaServer:Matches:Rating</c> unless one is registered, and
    /// <see cref="NoFriendListSource"/> unless an <see cref="IFriendListSource"/> is registered.
    /// Needs <c>IMatchStore</c>, <c>ILeaderboardStore</c> and <c>IAccountSummaryCache</c> (storage), <c>QueueNames</c>
    /// and <see cref="TimeProvider"/> (<c>AddMetaServerCore</c>) and <c>AddMessagePipelines</c> to run the handlers.
    /// </summary>
    public static IServiceCollection AddMatchResults(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MatchResultsOptions>().Bind(configuration.GetSection(MatchResultsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MatchResultsOptions>, MatchResultsOptionsValidator>());
        services.AddOptions<LeaderboardOptions>().Bind(configuration.GetSection(LeaderboardOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LeaderboardOptions>, LeaderboardOptionsValidator>());
        services.AddOptions<RatingOptions>().Bind(configuration.GetSection(RatingSectionName))
            .Validate(
                o =>
                {
                    try
                    {
                        o.Validate();
                        return true;
                    }
                    catch (ArgumentException)
                    {
                        return false;
                    }
                },
                $"{RatingSectionName} has a value out of range (see docs/rating.md).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RatingModel(sp.GetRequiredService<IOptions<RatingOptions>>().Value));
        services.TryAddSingleton<LeaderboardSeasons>();
        services.TryAddSingleton<IFriendListSource, NoFriendListSource>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMessageHandler, GameServerReportHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMessageHandler, GetLeaderboardHandler>());
        return services;
    }
}
