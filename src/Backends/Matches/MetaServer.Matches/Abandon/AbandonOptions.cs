using MetaServer.Matches.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Abandon;

/// <summary>
/// When overdue matches are abandoned (<c>MetaServer:Matches:Abandon</c>), validated at start-up. A match handed to
/// the game servers is abandoned when no <c>started</c> report came within <see cref="StartTimeout"/> of its creation,
/// or no result within <see cref="MatchesOptions.MaxMatchDuration"/> of its creation.
/// </summary>
public sealed class AbandonOptions
{
    public const string SectionName = "MetaServer:Matches:Abandon";

    /// <summary>Whether hand-offs are indexed and overdue matches abandoned. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A match with no <c>started</c> report this long after hand-off is abandoned. Default 2 minutes.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often each matches-service instance sweeps the due buckets. Default 15 seconds.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Width of one <c>open-matches#&lt;bucket start&gt;</c> index bucket (whole seconds). Default 1 minute. Changing it
    /// while matches are open orphans their index entries: those matches are then not abandoned (their players are
    /// still freed after <see cref="MatchesOptions.MaxMatchDuration"/>).
    /// </summary>
    public TimeSpan BucketWidth { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Items each bucket is split into (a match goes to the shard of its id's hash), so concurrent hand-offs rarely
    /// contend for one item. Default 4. Like <see cref="BucketWidth"/>, change it only when no match is open.
    /// </summary>
    public int IndexShards { get; set; } = 4;

    /// <summary>Most past buckets one sweep closes (catching up after downtime is spread over sweeps). Default 60.</summary>
    public int MaxBucketsPerSweep { get; set; } = 60;
}

/// <summary>Start-up check of <see cref="AbandonOptions"/> (needs <see cref="MatchesOptions.MaxMatchDuration"/>).</summary>
internal sealed class AbandonOptionsValidator(IServiceProvider services) : IValidateOptions<AbandonOptions>
{
    public ValidateOptionsResult Validate(string? name, AbandonOptions options)
    {
        var maxMatchDuration = services.GetRequiredService<IOptions<MatchesOptions>>().Value.MaxMatchDuration;
        var problems = Check(options, maxMatchDuration);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    internal static List<string> Check(AbandonOptions options, TimeSpan maxMatchDuration)
    {
        const string section = AbandonOptions.SectionName;
        var problems = new List<string>();
        if (options.StartTimeout <= TimeSpan.Zero)
        {
            problems.Add($"{section}:StartTimeout: must be positive");
        }
        else if (options.StartTimeout > maxMatchDuration)
        {
            problems.Add($"{section}:StartTimeout: must not exceed {MatchesOptions.SectionName}:MaxMatchDuration ({maxMatchDuration})");
        }

        if (options.SweepInterval < TimeSpan.FromSeconds(1) || options.SweepInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{section}:SweepInterval: must be 1 second to 10 minutes");
        }

        if (options.BucketWidth < TimeSpan.FromSeconds(1) || options.BucketWidth > TimeSpan.FromHours(1)
            || options.BucketWidth.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            problems.Add($"{section}:BucketWidth: must be whole seconds, 1 second to 1 hour");
        }

        if (options.IndexShards is < 1 or > 64)
        {
            problems.Add($"{section}:IndexShards: must be 1 to 64");
        }

        if (options.MaxBucketsPerSweep is < 1 or > 10_000)
        {
            problems.Add($"{section}:MaxBucketsPerSweep: must be 1 to 10000");
        }

        return problems;
    }
}
