using System.Text.Json.Nodes;
using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Tests;

public sealed class RuleSetProblemTests
{
    private const string Source = "test-rules.json";

    private const string Base = """
        {
          "name": "base",
          "ruleLanguageVersion": "1.0",
          "playerAttributes": [
            { "name": "skill", "type": "number", "default": 10 },
            { "name": "mode", "type": "string" },
            { "name": "maps", "type": "string_list" },
            { "name": "ranks", "type": "string_number_map" }
          ],
          "teams": [
            { "name": "red", "minPlayers": 2, "maxPlayers": 4 },
            { "name": "blue", "minPlayers": 2, "maxPlayers": 4 }
          ],
          "rules": [
            { "name": "SkillDistance", "type": "distance", "measurements": ["teams[*].players.attributes[skill]"],
              "referenceValue": "avg(flatten(teams[*].players.attributes[skill]))", "maxDistance": 10 },
            { "name": "SameMode", "type": "batchDistance", "batchAttribute": "mode" },
            { "name": "Maps", "type": "collection", "measurements": "flatten(teams[*].players.attributes[maps])",
              "operation": "intersection", "minCount": 1 },
            { "name": "Both", "type": "compound", "statement": "and(SkillDistance, Maps)" }
          ],
          "expansions": [
            { "target": "rules[SkillDistance].maxDistance", "steps": [ { "waitTimeSeconds": 5, "value": 20 } ] }
          ]
        }
        """;

    private static JsonObject BaseNode() => JsonNode.Parse(Base)!.AsObject();

    private static JsonObject Rule(JsonObject root, int index) => root["rules"]![index]!.AsObject();

    private static RuleSetException Fails(JsonObject root) =>
        Assert.Throws<RuleSetException>(() => RuleSetParser.Parse(root.ToJsonString(), Source));

    private static void AssertProblem(RuleSetException exception, string subject, string field, string path, string messagePart)
    {
        Assert.Contains(exception.Problems, p =>
            p.Subject == subject && p.Field == field && p.JsonPath == path && p.Message.Contains(messagePart, StringComparison.Ordinal));
        var line = $"{Source}: {subject} field '{field}' ({path}): ";
        Assert.Contains(line, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BaseRuleSet_IsValid()
    {
        var ruleSet = RuleSetParser.Parse(Base, Source);

        Assert.Equal(4, ruleSet.Rules.Length);
        Assert.Equal(8, ruleSet.MaxPlayers);
    }

    [Fact]
    public void Parse_NegativeMaxDistance_NamesRuleAndField()
    {
        var root = BaseNode();
        Rule(root, 0)["maxDistance"] = -1;

        var exception = Fails(root);

        AssertProblem(exception, "rule 'SkillDistance'", "maxDistance", "$.rules[0].maxDistance", "must be a number ≥ 0, found -1");
    }

    [Fact]
    public void Parse_UnknownRuleField_NamesRuleAndField()
    {
        var root = BaseNode();
        Rule(root, 1)["maxDistanse"] = 3;

        AssertProblem(Fails(root), "rule 'SameMode'", "maxDistanse", "$.rules[1].maxDistanse", "unknown field");
    }

    [Fact]
    public void Parse_UnknownTopLevelField_NamesField()
    {
        var root = BaseNode();
        root["rulez"] = new JsonArray();

        AssertProblem(Fails(root), "rule set", "rulez", "$.rulez", "unknown field");
    }

    [Fact]
    public void Parse_UnknownRuleType_NamesRuleAndType()
    {
        var root = BaseNode();
        Rule(root, 1)["type"] = "proximity";

        AssertProblem(Fails(root), "rule 'SameMode'", "type", "$.rules[1].type", "'proximity' is not one of: comparison, distance");
    }

    [Fact]
    public void Parse_MissingRequiredFields_NamesEach()
    {
        var root = BaseNode();
        Rule(root, 0).Remove("referenceValue");
        Rule(root, 2).Remove("operation");
        root.Remove("ruleLanguageVersion");

        var exception = Fails(root);

        AssertProblem(exception, "rule 'SkillDistance'", "referenceValue", "$.rules[0].referenceValue", "is required");
        AssertProblem(exception, "rule 'Maps'", "operation", "$.rules[2].operation", "is required");
        AssertProblem(exception, "rule set", "ruleLanguageVersion", "$.ruleLanguageVersion", "is required");
    }

    [Fact]
    public void Parse_RuleWithoutName_IsNamedByPosition()
    {
        var root = BaseNode();
        Rule(root, 1).Remove("name");

        AssertProblem(Fails(root), "rule #1", "name", "$.rules[1].name", "is required");
    }

    [Fact]
    public void Parse_BadEnums_ListAllowedValues()
    {
        var root = BaseNode();
        Rule(root, 0)["partyAggregation"] = "median";
        Rule(root, 2)["operation"] = "union";
        root["algorithm"] = new JsonObject { ["strategy"] = "greedy", ["expansionAgeSelection"] = "youngest" };
        root["playerAttributes"]![1]!["type"] = "boolean";

        var exception = Fails(root);

        AssertProblem(exception, "rule 'SkillDistance'", "partyAggregation", "$.rules[0].partyAggregation", "'median' is not one of: avg, min, max");
        AssertProblem(exception, "rule 'Maps'", "operation", "$.rules[2].operation", "'union' is not one of: intersection, contains, reference_intersection_count");
        AssertProblem(exception, "algorithm", "strategy", "$.algorithm.strategy", "'greedy' is not one of: exhaustiveSearch, balanced");
        AssertProblem(exception, "algorithm", "expansionAgeSelection", "$.algorithm.expansionAgeSelection", "'youngest'");
        AssertProblem(exception, "playerAttribute 'mode'", "type", "$.playerAttributes[1].type", "'boolean' is not one of: string, number, string_list, string_number_map");
    }

    [Fact]
    public void Parse_UnsupportedLanguageVersion_NamesField()
    {
        var root = BaseNode();
        root["ruleLanguageVersion"] = "2.0";

        AssertProblem(Fails(root), "rule set", "ruleLanguageVersion", "$.ruleLanguageVersion", "'2.0' is not supported");
    }

    [Fact]
    public void Parse_DuplicateNames_AreReported()
    {
        var root = BaseNode();
        Rule(root, 1)["name"] = "SkillDistance";
        root["teams"]![1]!["name"] = "red";
        root["playerAttributes"]![1]!["name"] = "skill";

        var exception = Fails(root);

        AssertProblem(exception, "rule 'SkillDistance'", "name", "$.rules[1].name", "duplicate rule name 'SkillDistance'");
        AssertProblem(exception, "team 'red'", "name", "$.teams[1].name", "duplicate team name 'red'");
        AssertProblem(exception, "playerAttribute 'skill'", "name", "$.playerAttributes[1].name", "duplicate player attribute name 'skill'");
    }

    [Fact]
    public void Parse_CompoundReferringToUnknownRule_NamesRuleAndStatement()
    {
        var root = BaseNode();
        Rule(root, 3)["statement"] = "and(SkillDistance, or(Maps, Latency))";

        AssertProblem(Fails(root), "rule 'Both'", "statement", "$.rules[3].statement", "refers to unknown rule 'Latency'");
    }

    [Fact]
    public void Parse_MalformedCompound_NamesRuleAndStatement()
    {
        var root = BaseNode();
        Rule(root, 3)["statement"] = "not(SkillDistance, Maps)";

        AssertProblem(Fails(root), "rule 'Both'", "statement", "$.rules[3].statement", "not(...) takes exactly one operand");
    }

    [Fact]
    public void Parse_ExpansionTargetsThatDoNotExist_AreReported()
    {
        var root = BaseNode();
        var steps = new JsonArray(new JsonObject { ["waitTimeSeconds"] = 5, ["value"] = 1 });
        root["expansions"] = new JsonArray(
            new JsonObject { ["target"] = "rules[Skill].maxDistance", ["steps"] = steps.DeepClone() },
            new JsonObject { ["target"] = "teams[green].minPlayers", ["steps"] = steps.DeepClone() },
            new JsonObject { ["target"] = "rules[SameMode].operation", ["steps"] = steps.DeepClone() },
            new JsonObject { ["target"] = "algorithm.strategy", ["steps"] = steps.DeepClone() });

        var exception = Fails(root);

        AssertProblem(exception, "expansion 'rules[Skill].maxDistance'", "target", "$.expansions[0].target", "refers to rule 'Skill', which the rule set does not declare");
        AssertProblem(exception, "expansion 'teams[green].minPlayers'", "target", "$.expansions[1].target", "refers to team 'green'");
        AssertProblem(exception, "expansion 'rules[SameMode].operation'", "target", "$.expansions[2].target", "cannot be expanded");
        AssertProblem(exception, "expansion 'algorithm.strategy'", "target", "$.expansions[3].target", "must look like rules[RuleName].property");
    }

    [Fact]
    public void Parse_StepsNotIncreasingInWaitTime_AreReported()
    {
        var root = BaseNode();
        root["expansions"]![0]!["steps"] = new JsonArray(
            new JsonObject { ["waitTimeSeconds"] = 10, ["value"] = 20 },
            new JsonObject { ["waitTimeSeconds"] = 10, ["value"] = 30 });

        AssertProblem(Fails(root), "expansion 'rules[SkillDistance].maxDistance'", "waitTimeSeconds",
            "$.expansions[0].steps[1].waitTimeSeconds", "steps must increase in wait time");
    }

    [Fact]
    public void Parse_UndeclaredAttributes_AreReportedWhereUsed()
    {
        var root = BaseNode();
        Rule(root, 0)["measurements"] = new JsonArray("teams[*].players.attributes[rating]");
        Rule(root, 1)["batchAttribute"] = "region";
        root["algorithm"] = new JsonObject { ["batchingPreference"] = "sorted", ["sortByAttributes"] = new JsonArray("elo") };

        var exception = Fails(root);

        AssertProblem(exception, "rule 'SkillDistance'", "measurements", "$.rules[0].measurements", "player attribute 'rating', which playerAttributes does not declare");
        AssertProblem(exception, "rule 'SameMode'", "batchAttribute", "$.rules[1].batchAttribute", "player attribute 'region'");
        AssertProblem(exception, "algorithm", "sortByAttributes", "$.algorithm.sortByAttributes", "player attribute 'elo'");
    }

    [Fact]
    public void Parse_UnsupportedExpression_NamesRuleAndField()
    {
        var root = BaseNode();
        Rule(root, 0)["referenceValue"] = "mode(flatten(teams[*].players.attributes[skill]))";

        AssertProblem(Fails(root), "rule 'SkillDistance'", "referenceValue", "$.rules[0].referenceValue", "unsupported function 'mode'");
    }

    [Fact]
    public void Parse_ExpressionNamingUnknownTeam_NamesRuleAndField()
    {
        var root = BaseNode();
        Rule(root, 0)["measurements"] = new JsonArray("teams[green].players.attributes[skill]");

        AssertProblem(Fails(root), "rule 'SkillDistance'", "measurements", "$.rules[0].measurements", "refers to team 'green'");
    }

    [Fact]
    public void Parse_MoreThanFortyPlayers_IsNotSupported()
    {
        var root = BaseNode();
        root["teams"]![0]!["maxPlayers"] = 20;
        root["teams"]![1]!["maxPlayers"] = 20;
        root["teams"]![1]!["quantity"] = 2;

        AssertProblem(Fails(root), "rule set", "teams", "$.teams", "matches of 60 players (sum of maxPlayers × quantity) are not supported");
    }

    [Fact]
    public void Parse_TeamMinAboveMax_NamesTeamAndField()
    {
        var root = BaseNode();
        root["teams"]![1]!["minPlayers"] = 5;

        AssertProblem(Fails(root), "team 'blue'", "minPlayers", "$.teams[1].minPlayers", "must be ≤ maxPlayers (4)");
    }

    [Fact]
    public void Parse_DefaultOfWrongType_NamesAttributeAndField()
    {
        var root = BaseNode();
        root["playerAttributes"]![0]!["default"] = "high";

        AssertProblem(Fails(root), "playerAttribute 'skill'", "default", "$.playerAttributes[0].default", "must be a number value");
    }

    [Fact]
    public void Parse_SortOnMapWithoutMapKey_NamesRuleAndField()
    {
        var root = BaseNode();
        root["rules"]!.AsArray().Add(new JsonObject
        {
            ["name"] = "ByRank", ["type"] = "absoluteSort", ["sortDirection"] = "ascending", ["sortAttribute"] = "ranks",
        });

        AssertProblem(Fails(root), "rule 'ByRank'", "mapKey", "$.rules[4].mapKey", "is required for the string_number_map attribute 'ranks'");
    }

    [Fact]
    public void Parse_InvalidJson_ReportsLine()
    {
        var exception = Assert.Throws<RuleSetException>(() => RuleSetParser.Parse("{\n  \"name\": \"x\",\n  oops\n}", Source));

        AssertProblem(exception, "rule set", "(document)", "$", "is not valid JSON (line 3");
    }

    [Fact]
    public void Parse_SeveralProblems_AreAllReportedAtOnce()
    {
        var root = BaseNode();
        Rule(root, 0)["maxDistance"] = "far";
        Rule(root, 2)["minCount"] = 1.5;
        root["teams"]![0]!["quantity"] = 0;

        var exception = Fails(root);

        Assert.Equal(3, exception.Problems.Count);
        Assert.Equal(Source, exception.SourceName);
        Assert.All(exception.Lines, line => Assert.StartsWith($"{Source}: ", line, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NumbersWrittenAsStrings_AreAccepted()
    {
        var root = BaseNode();
        Rule(root, 0)["maxDistance"] = "25";

        var ruleSet = RuleSetParser.Parse(root.ToJsonString(), Source);

        Assert.Equal(25, Assert.IsType<DistanceRule>(ruleSet.FindRule("SkillDistance")).MaxDistance);
    }
}
