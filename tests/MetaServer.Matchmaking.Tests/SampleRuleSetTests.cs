using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Tests;

public sealed class SampleRuleSetTests
{
    internal static string SamplePath(string fileName) => Path.Combine(AppContext.BaseDirectory, "matchmaking", fileName);

    [Fact]
    public void ParseFile_Team5v5Sample_HasTeamsSkillRulesAndExpansions()
    {
        var ruleSet = RuleSetParser.ParseFile(SamplePath("team-5v5-skill.json"));

        Assert.Equal("team-5v5-skill", ruleSet.Name);
        Assert.Equal("1.0", ruleSet.RuleLanguageVersion);
        Assert.Equal(10, ruleSet.MaxPlayers);
        Assert.Equal(10, ruleSet.MinPlayers);
        Assert.Equal([new TeamDefinition("red", 5, 5, 1), new TeamDefinition("blue", 5, 5, 1)], ruleSet.Teams.ToArray());
        Assert.Equal(new PlayerAttributeDefinition("skill", PlayerAttributeType.Number, new NumberAttributeValue(1000)), ruleSet.PlayerAttributes[0]);
        Assert.Equal(new StringAttributeValue("ranked"), ruleSet.FindAttribute("gameMode")!.Default);
        Assert.Equal(AlgorithmStrategy.ExhaustiveSearch, ruleSet.Algorithm.Strategy);
        Assert.Equal(BatchingPreference.Sorted, ruleSet.Algorithm.BatchingPreference);
        Assert.Equal(["skill"], ruleSet.Algorithm.SortByAttributes.ToArray());

        var sameMode = Assert.IsType<BatchDistanceRule>(ruleSet.FindRule("SameMode"));
        Assert.Equal("gameMode", sameMode.BatchAttribute);
        Assert.Null(sameMode.MaxDistance);

        var skill = Assert.IsType<DistanceRule>(ruleSet.FindRule("SkillDistance"));
        Assert.Equal("teams[*].players.attributes[skill]", Assert.Single(skill.Measurements).ToString());
        Assert.Equal("avg(flatten(teams[*].players.attributes[skill]))", skill.ReferenceValue.ToString());
        Assert.Equal(100, skill.MaxDistance);
        Assert.Null(skill.MinDistance);
        Assert.Equal(PartyAggregation.Avg, skill.PartyAggregation);

        Assert.Equal(2, ruleSet.Expansions.Length);
        var expansion = ruleSet.Expansions[0];
        Assert.Equal(new ExpansionTarget(ExpansionTargetKind.Rule, "SkillDistance", "maxDistance"), expansion.Target);
        Assert.Equal([new ExpansionStep(10, 200), new ExpansionStep(20, 400), new ExpansionStep(40, 1000)], expansion.Steps.ToArray());
    }

    [Fact]
    public void ParseFile_Ranked1v1Sample_TwoOnePlayerTeamsWithBatchDistanceAndSort()
    {
        var ruleSet = RuleSetParser.ParseFile(SamplePath("ranked-1v1.json"));

        Assert.Equal(new TeamDefinition("player", 1, 1, 2), Assert.Single(ruleSet.Teams));
        Assert.Equal(2, ruleSet.MaxPlayers);
        Assert.Equal(MatchmakingAlgorithm.Default.Strategy, ruleSet.Algorithm.Strategy);
        Assert.Equal(BatchingPreference.Random, ruleSet.Algorithm.BatchingPreference);
        Assert.Equal(ExpansionAgeSelection.Newest, ruleSet.Algorithm.ExpansionAgeSelection);
        var close = Assert.IsType<BatchDistanceRule>(ruleSet.FindRule("CloseSkill"));
        Assert.Equal(50, close.MaxDistance);
        var sort = Assert.IsType<DistanceSortRule>(ruleSet.FindRule("StrongestFirst"));
        Assert.Equal(SortDirection.Ascending, sort.SortDirection);
        Assert.Equal("skill", sort.SortAttribute);
        Assert.Null(sort.MapKey);
        Assert.Equal("rules[CloseSkill].maxDistance", Assert.Single(ruleSet.Expansions).Target.ToString());
    }

    [Fact]
    public void ParseFile_FreeForAll8Sample_OneTeamOfEightWithTeamSizeExpansion()
    {
        var ruleSet = RuleSetParser.ParseFile(SamplePath("free-for-all-8.json"));

        Assert.Equal(new TeamDefinition("players", 8, 8, 1), Assert.Single(ruleSet.Teams));
        Assert.Equal(ExpansionAgeSelection.Oldest, ruleSet.Algorithm.ExpansionAgeSelection);
        var level = Assert.IsType<ComparisonRule>(ruleSet.FindRule("MinimumLevel"));
        Assert.Equal(ComparisonOperation.GreaterThanOrEqual, level.Operation);
        Assert.Equal(new NumberReferenceValue(3), level.ReferenceValue);
        var measurement = Assert.IsType<FunctionExpression>(Assert.Single(level.Measurements));
        Assert.Equal(ExpressionFunction.Min, measurement.Function);
        Assert.IsType<AbsoluteSortRule>(ruleSet.FindRule("SkillOrder"));
        var teamExpansion = ruleSet.Expansions[0];
        Assert.Equal(new ExpansionTarget(ExpansionTargetKind.Team, "players", "minPlayers"), teamExpansion.Target);
        Assert.Equal([new ExpansionStep(30, 6), new ExpansionStep(60, 4)], teamExpansion.Steps.ToArray());
    }

    [Fact]
    public void ParseFile_Squads3v3Sample_CollectionLatencyCompoundAndMapSort()
    {
        var ruleSet = RuleSetParser.ParseFile(SamplePath("squads-3v3-region.json"));

        Assert.Equal(6, ruleSet.MaxPlayers);
        Assert.Equal(BackfillPriority.High, ruleSet.Algorithm.BackfillPriority);
        var maps = Assert.IsType<StringListAttributeValue>(ruleSet.FindAttribute("maps")!.Default);
        Assert.Equal(["harbor", "canyon", "citadel"], maps.Values.ToArray());
        var ranks = Assert.IsType<StringNumberMapAttributeValue>(ruleSet.FindAttribute("ranks")!.Default);
        Assert.Equal(1000, ranks.Values["ranked"]);

        var common = Assert.IsType<CollectionRule>(ruleSet.FindRule("CommonMap"));
        Assert.Equal(CollectionOperation.Intersection, common.Operation);
        Assert.Equal(1, common.MinCount);
        Assert.Equal(PartyAggregation.Union, common.PartyAggregation);

        var support = Assert.IsType<CollectionRule>(ruleSet.FindRule("HasSupport"));
        Assert.Equal(CollectionOperation.ReferenceIntersectionCount, support.Operation);
        Assert.Equal(["support", "any"], Assert.IsType<StringListReferenceValue>(support.ReferenceValue).Values.ToArray());
        Assert.Equal(["alpha"], Assert.Single(support.Measurements).TeamNames);

        Assert.Equal(new LatencyRule("LowLatency", "Everyone is close to the chosen region", 150, 60, LatencyDistanceReference.Min),
            ruleSet.FindRule("LowLatency"));
        var compound = Assert.IsType<CompoundRule>(ruleSet.FindRule("MapOrFairness"));
        Assert.Equal("and(CommonMap, or(HasSupport, FairSquads))", compound.Statement.ToString());
        var sort = Assert.IsType<DistanceSortRule>(ruleSet.FindRule("RankOrder"));
        Assert.Equal(SortMapKey.MaxValue, sort.MapKey);
        Assert.Equal(["rules[LowLatency].maxLatency", "rules[CommonMap].minCount"], ruleSet.Expansions.Select(e => e.Target.ToString()));
    }

    [Fact]
    public void ParseFile_EverySampleInTheRepository_Parses()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "matchmaking"), "*.json");

        Assert.True(files.Length >= 4, $"expected the sample rule sets next to the tests, found {files.Length}");
        Assert.All(files, file => Assert.Equal(file, RuleSetParser.ParseFile(file).SourceName));
    }
}
