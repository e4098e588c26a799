using MetaServer.Matches.Rating;

namespace MetaServer.Matches.Tests;

/// <summary>Properties every update must have, over many seeded random matches, for both update rules.</summary>
public sealed class RatingPropertyTests
{
    public static TheoryData<RatingAlgorithm> Algorithms => new() { RatingAlgorithm.PlackettLuce, RatingAlgorithm.BradleyTerryFull };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Rate_TwoTeamsRandomRatings_WinnersMuRisesLosersMuFalls(RatingAlgorithm algorithm)
    {
        var model = new RatingModel(new RatingOptions { Algorithm = algorithm });
        var random = new Random(5);
        for (var round = 0; round < 500; round++)
        {
            var teams = RandomTeams(random, teamCount: 2, maxTeamSize: 5);
            var result = model.Rate(teams, [1, 2]);
            AssertAll(teams[0], result[0], (before, after) => after.Mu > before.Mu, "winner's mu rises");
            AssertAll(teams[1], result[1], (before, after) => after.Mu < before.Mu, "loser's mu falls");
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Rate_ManyTeams_FirstPlaceRisesLastPlaceFalls(RatingAlgorithm algorithm)
    {
        var model = new RatingModel(new RatingOptions { Algorithm = algorithm });
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var teamCount = random.Next(3, 9);
            var teams = RandomTeams(random, teamCount, maxTeamSize: 4);
            var ranks = Enumerable.Range(1, teamCount).ToArray();
            var result = model.Rate(teams, ranks);
            AssertAll(teams[0], result[0], (before, after) => after.Mu > before.Mu, "first place's mu rises");
            AssertAll(teams[^1], result[^1], (before, after) => after.Mu < before.Mu, "last place's mu falls");
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Rate_WithoutTau_SigmaNeverGrows(RatingAlgorithm algorithm)
    {
        var model = new RatingModel(new RatingOptions { Algorithm = algorithm });
        var random = new Random(11);
        for (var round = 0; round < 500; round++)
        {
            var teamCount = random.Next(2, 6);
            var teams = RandomTeams(random, teamCount, maxTeamSize: 5);
            var ranks = Enumerable.Range(0, teamCount).Select(_ => random.Next(1, 4)).ToArray();
            var result = model.Rate(teams, ranks);
            for (var t = 0; t < teamCount; t++)
            {
                AssertAll(teams[t], result[t], (before, after) => after.Sigma <= before.Sigma && after.Sigma > 0, "sigma does not grow");
            }
        }
    }

    [Fact]
    public void Rate_WithTauAndLimitSigma_SigmaNeverGrows()
    {
        var model = new RatingModel(new RatingOptions { Tau = 25.0 / 300.0, LimitSigma = true });
        var random = new Random(13);
        for (var round = 0; round < 200; round++)
        {
            var teams = RandomTeams(random, teamCount: 2, maxTeamSize: 5);
            var result = model.Rate(teams, [random.Next(1, 3), random.Next(1, 3)]);
            AssertAll(teams[0], result[0], (before, after) => after.Sigma <= before.Sigma, "sigma does not grow");
            AssertAll(teams[1], result[1], (before, after) => after.Sigma <= before.Sigma, "sigma does not grow");
        }
    }

    [Fact]
    public void Rate_ListInput_IsNotMutated()
    {
        var model = new RatingModel();
        var winners = new[] { new PlayerRating(30, 5), new PlayerRating(20, 7) };
        var losers = new List<PlayerRating> { new(25, 8), new(26, 3) };
        var ranks = new[] { 1, 2 };
        var winnersCopy = winners.ToArray();
        var losersCopy = losers.ToArray();

        var result = model.Rate([winners, losers], ranks);

        Assert.Equal(winnersCopy, winners);
        Assert.Equal(losersCopy, losers);
        Assert.Equal([1, 2], ranks);
        Assert.NotEqual(winners[0], result[0][0]);
    }

    [Fact]
    public void Rate_FlatForm_EqualsListFormAndMayUpdateInPlace()
    {
        var model = new RatingModel();
        var random = new Random(17);
        var teams = RandomTeams(random, teamCount: 3, maxTeamSize: 5);
        int[] ranks = [2, 1, 2];
        var expected = model.Rate(teams, ranks).SelectMany(team => team).ToArray();

        var flat = teams.SelectMany(team => team).ToArray();
        model.Rate(flat, teams.Select(team => team.Count).ToArray(), ranks, flat);

        Assert.Equal(expected, flat);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Rate_TeamsPermutedWithTheirRanks_SameResults(RatingAlgorithm algorithm)
    {
        var model = new RatingModel(new RatingOptions { Algorithm = algorithm });
        var random = new Random(19);
        var teams = RandomTeams(random, teamCount: 4, maxTeamSize: 3);
        var result = model.Rate(teams, [3, 1, 2, 1]);
        var permuted = model.Rate([teams[3], teams[1], teams[0], teams[2]], [1, 1, 3, 2]);

        AssertClose(result[3], permuted[0]);
        AssertClose(result[1], permuted[1]);
        AssertClose(result[0], permuted[2]);
        AssertClose(result[2], permuted[3]);
    }

    [Fact]
    public void Rate_RanksOnlyCompared_GapsAndOffsetsDoNotMatter()
    {
        var model = new RatingModel();
        var random = new Random(23);
        var teams = RandomTeams(random, teamCount: 4, maxTeamSize: 3);
        var a = model.Rate(teams, [1, 2, 2, 4]);
        var b = model.Rate(teams, [0, 5, 5, 9]);
        for (var t = 0; t < 4; t++)
        {
            AssertClose(a[t], b[t]);
        }
    }

    [Fact]
    public void Rate_SingleTeamWithoutTau_RatingsUnchanged()
    {
        var team = new[] { new PlayerRating(30, 5), new PlayerRating(20, 7) };
        var result = new RatingModel().Rate([team], [1]);
        AssertClose(team, result[0]);
    }

    [Fact]
    public void Rate_EmptyTeam_ThrowsArgumentException()
    {
        var exception = Assert.Throws<ArgumentException>(() => new RatingModel().Rate([[new PlayerRating(25, 8)], []], [1, 2]));
        Assert.Contains("Team 1 has no players", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_NoTeams_ThrowsArgumentException()
    {
        var exception = Assert.Throws<ArgumentException>(() => new RatingModel().Rate([], []));
        Assert.Contains("at least one team", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_RanksLengthMismatch_ThrowsArgumentException()
    {
        var exception = Assert.Throws<ArgumentException>(() => new RatingModel().Rate([[new PlayerRating(25, 8)], [new PlayerRating(25, 8)]], [1]));
        Assert.Equal("ranks", exception.ParamName);
        Assert.Contains("one rank per team", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, 8.0)]
    [InlineData(25.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 8.0)]
    [InlineData(25.0, 0.0)]
    [InlineData(25.0, -1.0)]
    public void Rate_BadRating_ThrowsArgumentException(double mu, double sigma)
    {
        var exception = Assert.Throws<ArgumentException>(() => new RatingModel().Rate([[new PlayerRating(25, 8)], [new PlayerRating(25, 8), new PlayerRating(mu, sigma)]], [1, 2]));
        Assert.Contains("Team 1 player 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rate_FlatFormOutputTooShort_ThrowsArgumentException()
    {
        var players = new[] { new PlayerRating(25, 8), new PlayerRating(25, 8) };
        var exception = Assert.Throws<ArgumentException>(() => new RatingModel().Rate(players, [1, 1], [1, 2], new PlayerRating[1]));
        Assert.Equal("updated", exception.ParamName);
    }

    [Theory]
    [InlineData("Sigma", 0.0)]
    [InlineData("Beta", -1.0)]
    [InlineData("Kappa", 0.0)]
    [InlineData("Tau", -0.1)]
    [InlineData("Mu", double.NaN)]
    public void Constructor_BadOption_ThrowsArgumentExceptionNamingIt(string option, double value)
    {
        var options = new RatingOptions();
        typeof(RatingOptions).GetProperty(option)!.SetValue(options, value);
        var exception = Assert.Throws<ArgumentException>(() => new RatingModel(options));
        Assert.Equal(option, exception.ParamName);
    }

    [Fact]
    public void PredictWin_EqualTeams_EvenOdds()
    {
        var r = new PlayerRating(25, 25.0 / 3.0);
        var odds = new RatingModel().PredictWin([[r, r], [r, r]]);
        Assert.Equal(0.5, odds[0], 1e-7);
        Assert.Equal(0.5, odds[1], 1e-7);
    }

    [Fact]
    public void PredictWin_RandomTeams_SumsToOneAndFavoursStronger()
    {
        var model = new RatingModel();
        var random = new Random(29);
        for (var round = 0; round < 200; round++)
        {
            var teamCount = random.Next(2, 6);
            var teams = RandomTeams(random, teamCount, maxTeamSize: 5);
            var odds = model.PredictWin(teams);
            Assert.Equal(1.0, odds.Sum(), 1e-9);
            Assert.All(odds, p => Assert.InRange(p, 0.0, 1.0));
        }

        var strong = new[] { new PlayerRating(35, 3), new PlayerRating(35, 3) };
        var weak = new[] { new PlayerRating(20, 3), new PlayerRating(20, 3) };
        var twoTeams = model.PredictWin([strong, weak]);
        Assert.True(twoTeams[0] > 0.9, $"strong team wins with {twoTeams[0]}");
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-1.96, 0.024997895148220435)]
    [InlineData(3.0, 0.9986501019683699)]
    public void NormalCdf_KnownValues_WithinApproximationError(double x, double expected)
    {
        Assert.Equal(expected, RatingModel.NormalCdf(x), 2e-7);
    }

    [Fact]
    public void NewPlayer_Defaults_OrdinalZeroAndSkillThousand()
    {
        var model = new RatingModel();
        var player = model.NewPlayer();
        Assert.Equal(new PlayerRating(25.0, 25.0 / 3.0), player);
        Assert.Equal(0.0, player.Ordinal, 1e-12);
        Assert.Equal(1000.0, SkillAttribute.FromRating(player));
    }

    [Fact]
    public void SkillAttribute_FromRating_ScaledOrdinalRoundedAndNonNegative()
    {
        Assert.Equal(2000.0, SkillAttribute.FromRating(new PlayerRating(40, 5)));
        Assert.Equal(1001.0, SkillAttribute.FromRating(new PlayerRating(25.02, 25.0 / 3.0)));
        Assert.Equal(0.0, SkillAttribute.FromRating(new PlayerRating(-20, 8)));
        Assert.Throws<ArgumentException>(() => SkillAttribute.FromRating(new PlayerRating(double.NaN, 1)));
    }

    [Fact]
    public void SkillAttribute_AfterWin_Rises()
    {
        var model = new RatingModel();
        var r = model.NewPlayer();
        var result = model.Rate([[r, r, r, r, r], [r, r, r, r, r]], [1, 2]);
        Assert.True(SkillAttribute.FromRating(result[0][0]) > SkillAttribute.FromRating(r));
    }

    private static List<IReadOnlyList<PlayerRating>> RandomTeams(Random random, int teamCount, int maxTeamSize)
    {
        var teams = new List<IReadOnlyList<PlayerRating>>(teamCount);
        for (var t = 0; t < teamCount; t++)
        {
            var size = random.Next(1, maxTeamSize + 1);
            var team = new PlayerRating[size];
            for (var p = 0; p < size; p++)
            {
                team[p] = new PlayerRating(10 + (random.NextDouble() * 30), 1 + (random.NextDouble() * 8));
            }

            teams.Add(team);
        }

        return teams;
    }

    private static void AssertAll(IReadOnlyList<PlayerRating> before, IReadOnlyList<PlayerRating> after, Func<PlayerRating, PlayerRating, bool> property, string what)
    {
        Assert.Equal(before.Count, after.Count);
        for (var p = 0; p < before.Count; p++)
        {
            Assert.True(property(before[p], after[p]), $"{what}: player {p} went from {before[p]} to {after[p]}");
        }
    }

    private static void AssertClose(IReadOnlyList<PlayerRating> expected, IReadOnlyList<PlayerRating> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var p = 0; p < expected.Count; p++)
        {
            Assert.Equal(expected[p].Mu, actual[p].Mu, 1e-12);
            Assert.Equal(expected[p].Sigma, actual[p].Sigma, 1e-12);
        }
    }
}
