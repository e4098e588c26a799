using System.Globalization;
using MetaServer.Storage;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Leaderboards;

/// <summary>One season of the rating leaderboard.</summary>
/// <param name="Id">Season id: <c>2026-11</c> (monthly), <c>2026-11-16</c> (weekly, its first day), empty without seasons.</param>
/// <param name="BoardId">The <see cref="ILeaderboardStore"/> board: <c>rating.&lt;id&gt;</c>, or <c>rating</c> without seasons.</param>
/// <param name="StartsAt">First instant of the season (null without seasons).</param>
/// <param name="EndsAt">First instant after the season (null without seasons).</param>
public sealed record LeaderboardSeason(string Id, string BoardId, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt);

/// <summary>
/// The season calendar of the rating leaderboard (<see cref="LeaderboardOptions"/>): which season an instant belongs
/// to, and which past seasons are still readable. Seasons come from the clock only, so every process agrees.
/// </summary>
public sealed class LeaderboardSeasons
{
    /// <summary>The leaderboard name clients use (an empty name means the same).</summary>
    public const string RatingLeaderboard = ILeaderboardStore.RatingBoardId;

    private readonly LeaderboardOptions _options;

    public LeaderboardSeasons(IOptions<LeaderboardOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
    }

    public SeasonLength Length => _options.Season;

    /// <summary>The season <paramref name="at"/> falls in.</summary>
    public LeaderboardSeason At(DateTimeOffset at) => _options.Season switch
    {
        SeasonLength.Weekly => Weekly(WeekIndex(at)),
        SeasonLength.Monthly => Monthly(MonthIndex(at)),
        _ => new LeaderboardSeason(string.Empty, RatingLeaderboard, null, null),
    };

    /// <summary>
    /// The season with this id when it is the season at <paramref name="now"/> or one of the
    /// <see cref="LeaderboardOptions.ReadablePastSeasons"/> before it; otherwise null.
    /// </summary>
    public LeaderboardSeason? Readable(string seasonId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(seasonId);
        var current = At(now);
        if (_options.Season == SeasonLength.None)
        {
            return seasonId.Length == 0 ? current : null;
        }

        for (var back = 0; back <= _options.ReadablePastSeasons; back++)
        {
            var season = _options.Season == SeasonLength.Weekly ? Weekly(WeekIndex(now) - back) : Monthly(MonthIndex(now) - back);
            if (string.Equals(season.Id, seasonId, StringComparison.Ordinal))
            {
                return season;
            }
        }

        return null;
    }

    private long WeekIndex(DateTimeOffset at) =>
        (long)Math.Floor((at - _options.SeasonAnchor).Ticks / (double)TimeSpan.FromDays(7).Ticks);

    private LeaderboardSeason Weekly(long index)
    {
        var start = _options.SeasonAnchor.ToUniversalTime() + TimeSpan.FromDays(7 * index);
        var id = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new LeaderboardSeason(id, $"{RatingLeaderboard}.{id}", start, start + TimeSpan.FromDays(7));
    }

    private static long MonthIndex(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return (utc.Year * 12L) + utc.Month - 1;
    }

    private static LeaderboardSeason Monthly(long index)
    {
        var start = new DateTimeOffset((int)(index / 12), (int)(index % 12) + 1, 1, 0, 0, 0, TimeSpan.Zero);
        var id = start.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        return new LeaderboardSeason(id, $"{RatingLeaderboard}.{id}", start, start.AddMonths(1));
    }
}
