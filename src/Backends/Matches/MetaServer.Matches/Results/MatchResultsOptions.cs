using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Results;

/// <summary>Match result processing, bound from <c>MetaServer:Matches:Results</c> and validated at start.</summary>
public sealed class MatchResultsOptions
{
    public const string SectionName = "MetaServer:Matches:Results";

    /// <summary>
    /// How many recent match ids a <c>RatingRecord</c> keeps to refuse applying a match twice (default 50, 5..1000).
    /// A redelivery of a match older than the player's last this-many matches would apply again, so keep it well
    /// above the number of matches a player can finish while a message may still be redelivered.
    /// </summary>
    public int RecentMatchIds { get; set; } = 50;

    /// <summary>How often a lost conditional write (a concurrent writer) is retried before the delivery fails and is redelivered (default 8).</summary>
    public int ConflictRetries { get; set; } = 8;
}

internal sealed class MatchResultsOptionsValidator : IValidateOptions<MatchResultsOptions>
{
    public ValidateOptionsResult Validate(string? name, MatchResultsOptions options)
    {
        var errors = new List<string>();
        if (options.RecentMatchIds is < 5 or > 1000)
        {
            errors.Add($"{MatchResultsOptions.SectionName}:RecentMatchIds must be 5 to 1000.");
        }

        if (options.ConflictRetries is < 1 or > 100)
        {
            errors.Add($"{MatchResultsOptions.SectionName}:ConflictRetries must be 1 to 100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
