using MetaServer.Matches.Results;
using MetaServer.Protocol.Internal.V1;

namespace MetaServer.Matches.Tests.Results;

public sealed class MatchOutcomesTests
{
    private static IReadOnlyDictionary<string, MatchOutcome> Outcomes(params (string Team, int Rank)[] placements) =>
        MatchOutcomes.FromPlacements([.. placements.Select(p => new TeamPlacement { Team = p.Team, Rank = p.Rank })]);

    [Fact]
    public void FromPlacements_UniqueBest_WinnerWinsOthersLose()
    {
        var outcomes = Outcomes(("blue", 2), ("red", 1));

        Assert.Equal(MatchOutcome.Win, outcomes["red"]);
        Assert.Equal(MatchOutcome.Loss, outcomes["blue"]);
    }

    [Fact]
    public void FromPlacements_SharedBest_Draw()
    {
        var outcomes = Outcomes(("red", 1), ("blue", 1));

        Assert.Equal(MatchOutcome.Draw, outcomes["red"]);
        Assert.Equal(MatchOutcome.Draw, outcomes["blue"]);
    }

    [Fact]
    public void FromPlacements_FreeForAll_OneWinnerTiesBelowAreLosses()
    {
        var outcomes = Outcomes(("a", 3), ("b", 1), ("c", 2), ("d", 2));

        Assert.Equal(MatchOutcome.Win, outcomes["b"]);
        Assert.Equal(MatchOutcome.Loss, outcomes["c"]);
        Assert.Equal(MatchOutcome.Loss, outcomes["d"]);
        Assert.Equal(MatchOutcome.Loss, outcomes["a"]);
    }

    [Fact]
    public void FromPlacements_FreeForAllSharedFirst_DrawForTheTiedOnly()
    {
        var outcomes = Outcomes(("a", 5), ("b", 5), ("c", 9));

        Assert.Equal(MatchOutcome.Draw, outcomes["a"]);
        Assert.Equal(MatchOutcome.Draw, outcomes["b"]);
        Assert.Equal(MatchOutcome.Loss, outcomes["c"]);
    }
}
