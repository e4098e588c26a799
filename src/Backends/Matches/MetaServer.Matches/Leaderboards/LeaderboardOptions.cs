using System.Globalization;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Leaderboards;

/// <summary>How long a leaderboard season lasts.</summary>
public enum SeasonLength
{
    /// <summary>No seasons: one board forever (id <c>rating</c>).</summary>
    None = 0,

    /// <summary>Seven days from <see cref="LeaderboardOptions.SeasonAnchor"/> (its weekday and time of day are the boundary).</summary>
    Weekly = 1,

    /// <summary>Calendar months in UTC (the 1st, 00:00 UTC is the boundary).</summary>
    Monthly = 2,
}

/// <summary>Seasonal rating leaderboards, bound from <c>MetaServer:Matches:Leaderboards</c> and validated at start.</summary>
public sealed class LeaderboardOptions
{
    public const string SectionName = "MetaServer:Matches:Leaderboards";

    /// <summary>Season length (default <see cref="SeasonLength.Monthly"/>). A new season is a new, empty board: that is the reset.</summary>
    public SeasonLength Season { get; set; } = SeasonLength.Monthly;

    /// <summary>Start of the first weekly season (default Monday 2026-01-05 00:00 UTC); only used by <see cref="SeasonLength.Weekly"/>.</summary>
    public DateTimeOffset SeasonAnchor { get; set; } = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>How many past seasons players can still read (board id <c>rating.&lt;season&gt;</c>; default 3, 0..24).</summary>
    public int ReadablePastSeasons { get; set; } = 3;
}

internal sealed class LeaderboardOptionsValidator : IValidateOptions<LeaderboardOptions>
{
    public ValidateOptionsResult Validate(string? name, LeaderboardOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Season))
        {
            errors.Add($"{LeaderboardOptions.SectionName}:Season must be None, Weekly or Monthly.");
        }

        if (options.ReadablePastSeasons is < 0 or > 24)
        {
            errors.Add($"{LeaderboardOptions.SectionName}:ReadablePastSeasons must be 0 to 24, got {options.ReadablePastSeasons.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.SeasonAnchor.Year is < 2000 or > 9000)
        {
            errors.Add($"{LeaderboardOptions.SectionName}:SeasonAnchor must be a date between the years 2000 and 9000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
