using MetaServer.Protocol.Internal.V1;

namespace MetaServer.Matches.Results;

/// <summary>Outcome of each team from its placement: a unique best rank wins, a shared best rank draws, every other team loses.</summary>
public static class MatchOutcomes
{
    /// <summary>Team name → outcome. Works the same for free-for-all (one player per team) and team matches.</summary>
    public static IReadOnlyDictionary<string, MatchOutcome> FromPlacements(IReadOnlyCollection<TeamPlacement> placements)
    {
        ArgumentNullException.ThrowIfNull(placements);
        var result = new Dictionary<string, MatchOutcome>(StringComparer.Ordinal);
        if (placements.Count == 0)
        {
            return result;
        }

        var best = placements.Min(p => p.Rank);
        var atBest = placements.Count(p => p.Rank == best);
        foreach (var placement in placements)
        {
            result[placement.Team] = placement.Rank != best ? MatchOutcome.Loss : atBest == 1 ? MatchOutcome.Win : MatchOutcome.Draw;
        }

        return result;
    }
}
