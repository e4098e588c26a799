using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.RuleSets;
using Microsoft.Extensions.DependencyInjection;
using static MetaServer.Matchmaking.Tests.Engine.EngineTestData;

namespace MetaServer.Matchmaking.Tests.Engine;

/// <summary>Each rule type passing and failing, on small inline rule sets in the FlexMatch format.</summary>
public sealed class MatchBuilderRuleTests
{
    private static string RuleSet(string teams, string rules, string extra = "", string attributes = """{ "name": "skill", "type": "number", "default": 1000 }""") => $$"""
        {
          "ruleLanguageVersion": "1.0",
          "playerAttributes": [ {{attributes}} ],
          "teams": [ {{teams}} ],
          "rules": [ {{rules}} ]{{extra}}
        }
        """;

    private const string Duo = """{ "name": "duo", "minPlayers": 2, "maxPlayers": 2 }""";

    [Fact]
    public void FindMatches_ComparisonWithoutReferenceNotEqual_SameRolesNotMatched()
    {
        var builder = Inline(RuleSet(Duo,
            """{ "name": "DifferentRoles", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[role])"], "operation": "!=" }""",
            attributes: """{ "name": "role", "type": "string", "default": "any" }"""));

        Assert.Empty(Find(builder, [Ticket("t1", 0, Player("a", attributes: new() { ["role"] = Str("tank") })), Ticket("t2", 1, Player("b", attributes: new() { ["role"] = Str("tank") }))], 2));
        var match = Assert.Single(Find(builder, [Ticket("t1", 0, Player("a", attributes: new() { ["role"] = Str("tank") })), Ticket("t2", 1, Player("b", attributes: new() { ["role"] = Str("healer") }))], 2));
        Assert.Equal(["t1", "t2"], match.TicketIds.ToArray());
    }

    [Fact]
    public void FindMatches_ComparisonPartyAggregationMin_PartyJudgedByWeakestPlayer()
    {
        var solo = Inline(RuleSet("""{ "name": "squad", "minPlayers": 3, "maxPlayers": 3 }""",
            """{ "name": "Veterans", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[skill])"], "referenceValue": 1000, "operation": ">=", "partyAggregation": "avg" }"""));
        var min = Inline(RuleSet("""{ "name": "squad", "minPlayers": 3, "maxPlayers": 3 }""",
            """{ "name": "Veterans", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[skill])"], "referenceValue": 1000, "operation": ">=", "partyAggregation": "min" }"""));
        PoolTicket[] tickets = [Ticket("party", 0, Player("a", 1400), Player("b", 900)), Solo("c", 1200, 1)];

        Assert.Single(Find(solo, tickets, 2));
        Assert.Empty(Find(min, tickets, 2));
    }

    [Fact]
    public void FindMatches_DistanceMinDistance_TooCloseNotMatched()
    {
        var builder = Inline(RuleSet(Duo,
            """{ "name": "Spread", "type": "distance", "measurements": ["flatten(teams[*].players.attributes[skill])"], "referenceValue": 1000, "minDistance": 100 }"""));

        Assert.Empty(Find(builder, [Solo("a", 1000), Solo("b", 1150)], 1));
        Assert.Single(Find(builder, [Solo("a", 1100), Solo("b", 850)], 1));
    }

    [Fact]
    public void FindMatches_BatchDistanceNumber_WithinMaxDistanceOnly()
    {
        var builder = Inline(RuleSet(Duo, """{ "name": "Close", "type": "batchDistance", "batchAttribute": "skill", "maxDistance": 50 }"""));

        Assert.Empty(Find(builder, [Solo("a", 1000), Solo("b", 1051)], 1));
        Assert.Single(Find(builder, [Solo("a", 1000), Solo("b", 1050)], 1));
    }

    [Fact]
    public void FindMatches_CollectionContains_RequiresReferenceValueInMatch()
    {
        var builder = Inline(RuleSet(Duo,
            """{ "name": "HasHealer", "type": "collection", "measurements": ["flatten(teams[*].players.attributes[roles])"], "operation": "contains", "referenceValue": "healer" }""",
            attributes: """{ "name": "roles", "type": "string_list", "default": ["dps"] }"""));

        Assert.Empty(Find(builder, [Ticket("t1", 0, Player("a")), Ticket("t2", 1, Player("b"))], 2));
        Assert.Single(Find(builder, [Ticket("t1", 0, Player("a")), Ticket("t2", 1, Player("b", attributes: new() { ["roles"] = List("healer", "dps") }))], 2));
    }

    [Fact]
    public void FindMatches_CollectionReferenceIntersectionCount_CountsReferenceStringsPresent()
    {
        var builder = Inline(RuleSet(Duo,
            """{ "name": "TwoModes", "type": "collection", "measurements": ["flatten(teams[*].players.attributes[modes])"], "operation": "reference_intersection_count", "referenceValue": ["ctf", "koth", "tdm"], "minCount": 2 }""",
            attributes: """{ "name": "modes", "type": "string_list", "default": [] }"""));

        Assert.Empty(Find(builder, [Ticket("t1", 0, Player("a", attributes: new() { ["modes"] = List("ctf") })), Ticket("t2", 1, Player("b", attributes: new() { ["modes"] = List("ctf", "dm") }))], 2));
        Assert.Single(Find(builder, [Ticket("t1", 0, Player("a", attributes: new() { ["modes"] = List("ctf") })), Ticket("t2", 1, Player("b", attributes: new() { ["modes"] = List("koth") }))], 2));
    }

    [Fact]
    public void FindMatches_CompoundOrNot_EvaluatesStatementInsteadOfReferencedRules()
    {
        // Either both are experts or the match is a casual one; "Experts" alone would refuse the casual pair.
        var builder = Inline(RuleSet(Duo, """
            { "name": "Experts", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[skill])"], "referenceValue": 2000, "operation": ">=" },
            { "name": "Ranked", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[mode])"], "referenceValue": "ranked", "operation": "=" },
            { "name": "ExpertsOrCasual", "type": "compound", "statement": "or(Experts, not(Ranked))" }
            """, attributes: """{ "name": "skill", "type": "number", "default": 1000 }, { "name": "mode", "type": "string", "default": "ranked" }"""));

        Assert.Empty(Find(builder, [Solo("a", 1000), Solo("b", 1000, 1)], 2));
        Assert.Single(Find(builder, [Solo("a", 2100), Solo("b", 2200, 1)], 2));
        var casual = new Dictionary<string, AttributeValue> { ["mode"] = Str("casual") };
        Assert.Single(Find(builder, [Ticket("t1", 0, Player("a", 1000, casual)), Ticket("t2", 1, Player("b", 1000, casual))], 2));
    }

    [Fact]
    public void FindMatches_CompoundXor_ExactlyOneOperandMustHold()
    {
        var builder = Inline(RuleSet(Duo, """
            { "name": "Low", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[skill])"], "referenceValue": 1500, "operation": "<" },
            { "name": "High", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[skill])"], "referenceValue": 1000, "operation": ">" },
            { "name": "OneSided", "type": "compound", "statement": "xor(Low, High)" }
            """));

        Assert.Empty(Find(builder, [Solo("a", 1200), Solo("b", 1300, 1)], 2));
        Assert.Single(Find(builder, [Solo("a", 800), Solo("b", 900, 1)], 2));
    }

    [Theory]
    [InlineData("min", false)]
    [InlineData("avg", true)]
    public void FindMatches_LatencyDistanceReference_MeasuredFromLowestOrAverage(string reference, bool matched)
    {
        // Latencies 20, 60, 60: the highest is 40 above the lowest but only ~13 above the average.
        var builder = Inline(RuleSet("""{ "name": "trio", "minPlayers": 3, "maxPlayers": 3 }""",
            $$"""{ "name": "Close", "type": "latency", "maxLatency": 150, "maxDistance": 20, "distanceReference": "{{reference}}" }"""));
        PoolTicket[] tickets =
        [
            Ticket("t1", 0, Player("a", latency: new() { ["eu"] = 20 })),
            Ticket("t2", 1, Player("b", latency: new() { ["eu"] = 60 })),
            Ticket("t3", 2, Player("c", latency: new() { ["eu"] = 60 })),
        ];

        Assert.Equal(matched ? 1 : 0, Find(builder, tickets, 3).Count);
    }

    [Fact]
    public void FindMatches_LatencyNoCommonRegion_NotMatched()
    {
        var builder = Inline(RuleSet(Duo, """{ "name": "Ping", "type": "latency", "maxLatency": 100 }"""));

        Assert.Empty(Find(builder, [Ticket("t1", 0, Player("a", latency: new() { ["eu"] = 30, ["us"] = 150 })), Ticket("t2", 1, Player("b", latency: new() { ["us"] = 30, ["eu"] = 140 }))], 2));
        Assert.Single(Find(builder, [Ticket("t1", 0, Player("a", latency: new() { ["eu"] = 30, ["us"] = 90 })), Ticket("t2", 1, Player("b", latency: new() { ["us"] = 30, ["eu"] = 140 }))], 2));
    }

    [Fact]
    public void FindMatches_BalancedStrategy_TeamTotalsBalanced()
    {
        var builder = Inline(RuleSet("""{ "name": "red", "minPlayers": 2, "maxPlayers": 2 }, { "name": "blue", "minPlayers": 2, "maxPlayers": 2 }""", "",
            """, "algorithm": { "strategy": "balanced", "balancedAttribute": "skill" }""").Replace("\"rules\": [  ],", "\"rules\": [],", StringComparison.Ordinal));
        PoolTicket[] tickets = [Solo("a", 1000, 0), Solo("b", 1100, 1), Solo("c", 1900, 2), Solo("d", 2000, 3)];

        var match = Assert.Single(Find(builder, tickets, 4));

        var red = Players(match, "red").Order().ToArray();
        Assert.True(red.SequenceEqual(["a", "d"]) || red.SequenceEqual(["b", "c"]), string.Join(",", red));
    }

    [Fact]
    public void FindMatches_TeamQuantityThree_TeamsNumberedAndFilled()
    {
        var builder = Inline(RuleSet("""{ "name": "squad", "minPlayers": 2, "maxPlayers": 2, "quantity": 3 }""",
            """{ "name": "Close", "type": "batchDistance", "batchAttribute": "skill", "maxDistance": 100 }"""));
        var tickets = Enumerable.Range(0, 6).Select(i => Solo($"p{i}", 1000 + i, i)).ToList();

        var match = Assert.Single(Find(builder, tickets, 10));

        Assert.Equal(["squad1", "squad2", "squad3"], match.Teams.Select(t => t.Name));
        Assert.All(match.Teams, t => Assert.Equal(2, t.PlayerIds.Length));
    }

    [Fact]
    public void FindMatches_TeamMaxAboveMin_FillsUpToMaxWhenAvailable()
    {
        var builder = Inline(RuleSet("""{ "name": "lobby", "minPlayers": 2, "maxPlayers": 4 }""",
            """{ "name": "Close", "type": "batchDistance", "batchAttribute": "skill", "maxDistance": 100 }"""));

        var matches = Find(builder, Enumerable.Range(0, 5).Select(i => Solo($"p{i}", 1000 + i, i)), 10);

        var match = Assert.Single(matches);
        Assert.Equal(4, match.Teams[0].PlayerIds.Length);
        Assert.Equal(["p0", "p1", "p2", "p3"], match.Teams[0].PlayerIds.ToArray());
    }

    [Fact]
    public void FindMatches_ExpansionAgeOldest_ExpandsOnAnchorWait()
    {
        const string Rules = """{ "name": "Close", "type": "batchDistance", "batchAttribute": "skill", "maxDistance": 50 }""";
        const string Expansion = """, "expansions": [ { "target": "rules[Close].maxDistance", "steps": [ { "waitTimeSeconds": 5, "value": 100 } ] } ]""";
        var oldest = Inline(RuleSet(Duo, Rules, Expansion + """, "algorithm": { "expansionAgeSelection": "oldest" }"""));
        var newest = Inline(RuleSet(Duo, Rules, Expansion));
        PoolTicket[] tickets = [Solo("a", 1000, 0), Solo("b", 1080, 10)];

        Assert.Empty(Find(oldest, tickets, 4.5));
        Assert.Single(Find(oldest, tickets, 10));
        Assert.Empty(Find(newest, tickets, 14.5));
        Assert.Single(Find(newest, tickets, 15));
    }

    [Fact]
    public void FindMatches_PartyTooLargeForAnyTeam_NotMatched()
    {
        var builder = Inline(RuleSet("""{ "name": "red", "minPlayers": 2, "maxPlayers": 2 }, { "name": "blue", "minPlayers": 2, "maxPlayers": 2 }""",
            """{ "name": "Close", "type": "batchDistance", "batchAttribute": "skill", "maxDistance": 100 }"""));
        PoolTicket[] tickets = [Ticket("trio", 0, Player("a", 1000), Player("b", 1000), Player("c", 1000)), Solo("d", 1000, 1), Solo("e", 1000, 2)];

        Assert.Empty(Find(builder, tickets, 3));
    }

    [Fact]
    public void FindMatches_LargePool_EveryTicketInAtMostOneMatchAndRulesHold()
    {
        var builder = Sample("team-5v5-skill.json");
        var random = new Random(7);
        var tickets = Enumerable.Range(0, 5_000).Select(i => Solo($"p{i}", Math.Round(1500 + (random.NextDouble() * 600) - 300), i * 0.001)).ToList();
        var skillOf = tickets.ToDictionary(t => t.Players[0].PlayerId, t => ((NumberAttributeValue)t.Players[0].Attributes["skill"]).Value);

        var matches = Find(builder, tickets, 6);

        Assert.True(matches.Count >= 400, $"{matches.Count} matches");
        var ticketIds = matches.SelectMany(m => m.TicketIds).ToList();
        Assert.Equal(ticketIds.Count, ticketIds.Distinct().Count());
        Assert.All(matches, m =>
        {
            var skills = AllPlayers(m).Select(p => skillOf[p]).ToList();
            Assert.All(skills, s => Assert.True(Math.Abs(s - skills.Average()) <= 100));
        });
    }

    [Fact]
    public void Create_UnsupportedRule_ThrowsRuleSetExceptionNamingRuleAndField()
    {
        var ruleSet = RuleSetParser.Parse(RuleSet(Duo,
            """{ "name": "MapsCompared", "type": "comparison", "measurements": ["flatten(teams[*].players.attributes[maps])"], "referenceValue": 3, "operation": ">" }""",
            attributes: """{ "name": "maps", "type": "string_list", "default": [] }"""), "bad.json");

        var error = Assert.Throws<RuleSetException>(() => new MatchBuilderFactory().Create(ruleSet));

        var problem = Assert.Single(error.Problems, p => p.Field == "measurements");
        Assert.Equal("rule 'MapsCompared'", problem.Subject);
        Assert.Equal("$.rules[0].measurements", problem.JsonPath);
        Assert.Contains("bad.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_LargeMatchBatchingPreference_ThrowsRuleSetExceptionNamingAlgorithmField()
    {
        var ruleSet = RuleSetParser.Parse(RuleSet(Duo, "", """, "algorithm": { "batchingPreference": "fastestFirst" }"""), "fast.json");

        var error = Assert.Throws<RuleSetException>(() => new MatchBuilderFactory().Create(ruleSet));

        Assert.Equal("batchingPreference", Assert.Single(error.Problems).Field);
    }

    [Fact]
    public void Create_AllSamples_Succeed()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "matchmaking"), "*.json"))
        {
            Assert.NotNull(new MatchBuilderFactory().Create(RuleSetParser.ParseFile(file)));
        }
    }

    [Fact]
    public void AddFlexMatchBuilder_Registered_ResolvesMatchBuilderFactory()
    {
        using var provider = new ServiceCollection().AddFlexMatchBuilder().BuildServiceProvider();

        Assert.IsType<MatchBuilderFactory>(provider.GetRequiredService<IMatchBuilderFactory>());
    }
}
