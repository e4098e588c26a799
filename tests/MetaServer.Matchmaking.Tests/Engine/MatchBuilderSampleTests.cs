using MetaServer.Matchmaking.Engine;
using static MetaServer.Matchmaking.Tests.Engine.EngineTestData;

namespace MetaServer.Matchmaking.Tests.Engine;

/// <summary>The sample rule sets of config/matchmaking, as FlexMatch would match them.</summary>
public sealed class MatchBuilderSampleTests
{
    [Fact]
    public void FindMatches_Team5v5TenSimilarPlayers_OneMatchOfFiveAgainstFive()
    {
        var builder = Sample("team-5v5-skill.json");
        var tickets = Enumerable.Range(0, 10).Select(i => Solo($"p{i}", 1500 + (i * 7), i * 0.1)).ToList();

        var match = Assert.Single(Find(builder, tickets, 1));

        Assert.Equal(["red", "blue"], match.Teams.Select(t => t.Name));
        Assert.All(match.Teams, t => Assert.Equal(5, t.PlayerIds.Length));
        Assert.Equal(tickets.Select(t => t.TicketId).Order(), match.TicketIds.Order());
        Assert.Equal("t-p0", match.TicketIds[0]);
    }

    [Fact]
    public void FindMatches_Team5v5NinePlayers_NoMatch()
    {
        var builder = Sample("team-5v5-skill.json");
        var tickets = Enumerable.Range(0, 9).Select(i => Solo($"p{i}", 1500 + i)).ToList();

        Assert.Empty(Find(builder, tickets, 100));
    }

    [Fact]
    public void FindMatches_Team5v5SkillOutlier_OutlierLeftSearching()
    {
        var builder = Sample("team-5v5-skill.json");
        var tickets = Enumerable.Range(0, 10).Select(i => Solo($"p{i}", 1500 + (i * 5), 1)).Append(Solo("outlier", 2400, 0)).ToList();

        var match = Assert.Single(Find(builder, tickets, 2));

        Assert.DoesNotContain("outlier", AllPlayers(match));
        Assert.Equal(10, AllPlayers(match).Count);
    }

    [Fact]
    public void FindMatches_Team5v5TeamsBalanced_TeamAveragesWithinFairTeamsDistance()
    {
        var builder = Sample("team-5v5-skill.json");
        double[] skills = [1400, 1410, 1420, 1430, 1440, 1460, 1470, 1480, 1490, 1500];
        var tickets = skills.Select((s, i) => Solo($"p{i}", s)).ToList();
        var skillOf = tickets.ToDictionary(t => t.Players[0].PlayerId, t => ((RuleSets.NumberAttributeValue)t.Players[0].Attributes["skill"]).Value);

        var match = Assert.Single(Find(builder, tickets, 1));

        var red = Players(match, "red").Average(p => skillOf[p]);
        var blue = Players(match, "blue").Average(p => skillOf[p]);
        var all = skills.Average();
        Assert.True(Math.Abs(red - all) <= 50 && Math.Abs(blue - all) <= 50, $"red {red}, blue {blue}, all {all}");
    }

    [Fact]
    public void FindMatches_Team5v5DifferentGameModes_OnlySameModeMatched()
    {
        var builder = Sample("team-5v5-skill.json");
        var tickets = Enumerable.Range(0, 10)
            .Select(i => Ticket($"t-r{i}", i, Player($"r{i}", 1500 + i, new() { ["gameMode"] = Str("ranked") })))
            .Concat(Enumerable.Range(0, 10).Select(i => Ticket($"t-c{i}", i + 0.5, Player($"c{i}", 1500 + i, new() { ["gameMode"] = Str("casual") }))))
            .ToList();

        var matches = Find(builder, tickets, 20);

        Assert.Equal(2, matches.Count);
        Assert.All(matches, m => Assert.True(AllPlayers(m).All(p => p[0] == 'r') || AllPlayers(m).All(p => p[0] == 'c')));
    }

    [Fact]
    public void FindMatches_Team5v5PartyOfThree_PartyOnOneTeam()
    {
        var builder = Sample("team-5v5-skill.json");
        var party = Ticket("t-party", 0, Player("a", 1500), Player("b", 1510), Player("c", 1490));
        var tickets = Enumerable.Range(0, 7).Select(i => Solo($"p{i}", 1495 + i, 1)).Prepend(party).ToList();

        var match = Assert.Single(Find(builder, tickets, 2));

        Assert.Equal("t-party", match.TicketIds[0]);
        Assert.Contains(match.Teams, t => new[] { "a", "b", "c" }.All(t.PlayerIds.Contains));
        Assert.All(match.Teams, t => Assert.Equal(5, t.PlayerIds.Length));
    }

    [Fact]
    public void FindMatches_Team5v5SpreadSkills_MatchedOnlyOnceExpansionReached()
    {
        // Skills spread over ±150 fail SkillDistance (100) until its 10 s step (200) and FairTeams stays satisfiable.
        var builder = Sample("team-5v5-skill.json");
        var tickets = Enumerable.Range(0, 10).Select(i => Solo($"p{i}", 1350 + (i * 33))).ToList();

        Assert.Empty(Find(builder, tickets, 9));
        Assert.Single(Find(builder, tickets, 10));
    }

    [Fact]
    public void FindMatches_Ranked1v1Expansion_MatchedAtStepNotBefore()
    {
        var builder = Sample("ranked-1v1.json");
        PoolTicket[] tickets = [Solo("a", 1000), Solo("b", 1080)];

        Assert.Empty(Find(builder, tickets, 4));
        Assert.Empty(Find(builder, tickets, 4.999));
        var match = Assert.Single(Find(builder, tickets, 5));

        Assert.Equal(["player1", "player2"], match.Teams.Select(t => t.Name));
        Assert.Equal(["a"], Players(match, "player1"));
        Assert.Equal(["b"], Players(match, "player2"));
    }

    [Fact]
    public void FindMatches_Ranked1v1NewestTicketAge_ExpansionFollowsNewestTicket()
    {
        // expansionAgeSelection defaults to newest: b joined 10 s after a, so the 5 s step applies at 15 s.
        var builder = Sample("ranked-1v1.json");
        PoolTicket[] tickets = [Solo("a", 1000, 0), Solo("b", 1080, 10)];

        Assert.Empty(Find(builder, tickets, 14));
        Assert.Single(Find(builder, tickets, 15));
    }

    [Fact]
    public void FindMatches_Ranked1v1DistanceSort_AnchorPairedWithNearestSkill()
    {
        var builder = Sample("ranked-1v1.json");
        PoolTicket[] tickets = [Solo("anchor", 1000, 0), Solo("far", 1040, 1), Solo("near", 1010, 2), Solo("other", 1045, 3)];

        var matches = Find(builder, tickets, 4);

        Assert.Equal(2, matches.Count);
        Assert.Equal(["t-anchor", "t-near"], matches[0].TicketIds.ToArray());
        Assert.Equal(["t-far", "t-other"], matches[1].TicketIds.ToArray());
    }

    [Fact]
    public void FindMatches_FreeForAllTeamMinExpansion_SixPlayersMatchedFromThirtySeconds()
    {
        var builder = Sample("free-for-all-8.json");
        var tickets = Enumerable.Range(0, 6).Select(i => Ticket($"t{i}", 0, Player($"p{i}", 1000 + i, new() { ["level"] = Num(5) }))).ToList();

        Assert.Empty(Find(builder, tickets, 29));
        var match = Assert.Single(Find(builder, tickets, 30));

        Assert.Equal("players", Assert.Single(match.Teams).Name);
        Assert.Equal(6, match.Teams[0].PlayerIds.Length);
    }

    [Fact]
    public void FindMatches_FreeForAllMinimumLevel_LowLevelPlayerExcluded()
    {
        var builder = Sample("free-for-all-8.json");
        var tickets = Enumerable.Range(0, 8).Select(i => Ticket($"t{i}", 1, Player($"p{i}", 1000 + i, new() { ["level"] = Num(3 + i) })))
            .Prepend(Ticket("t-low", 0, Player("low", 1000, new() { ["level"] = Num(2) })))
            .ToList();

        var match = Assert.Single(Find(builder, tickets, 2));

        Assert.DoesNotContain("low", AllPlayers(match));
        Assert.Equal(8, AllPlayers(match).Count);
    }

    [Fact]
    public void FindMatches_FreeForAllAbsoluteSort_HighestSkillsChosenFirst()
    {
        var builder = Sample("free-for-all-8.json");
        var tickets = Enumerable.Range(0, 12).Select(i => Ticket($"t{i}", i * 0.01, Player($"p{i}", 1000 + (i * 10), new() { ["level"] = Num(5) }))).ToList();

        var match = Assert.Single(Find(builder, tickets, 1));

        // The anchor (oldest, p0) plus the seven highest skills.
        Assert.Equal(new[] { "p0", "p5", "p6", "p7", "p8", "p9", "p10", "p11" }.Order(), AllPlayers(match).Order());
    }

    [Fact]
    public void FindMatches_Squads3v3CommonMapAndLatency_Matched()
    {
        var builder = Sample("squads-3v3-region.json");
        var tickets = Enumerable.Range(0, 6).Select(i => Ticket($"t{i}", 0,
            Player($"p{i}", 1000 + i, new() { ["maps"] = List("harbor", "canyon") }, new() { ["eu-west-1"] = 40 + i, ["us-east-1"] = 120 }))).ToList();

        var match = Assert.Single(Find(builder, tickets, 1));

        Assert.Equal(["alpha", "bravo"], match.Teams.Select(t => t.Name));
        Assert.All(match.Teams, t => Assert.Equal(3, t.PlayerIds.Length));
    }

    [Fact]
    public void FindMatches_Squads3v3NoCommonMap_NoMatchUntilMinCountExpands()
    {
        var builder = Sample("squads-3v3-region.json");
        var tickets = Enumerable.Range(0, 6).Select(i => Ticket($"t{i}", 0,
            Player($"p{i}", 1000, new() { ["maps"] = List(i == 5 ? "citadel" : "harbor") }, new() { ["eu-west-1"] = 40 }))).ToList();

        Assert.Empty(Find(builder, tickets, 44));
        Assert.Single(Find(builder, tickets, 45));
    }

    [Fact]
    public void FindMatches_Squads3v3HighLatency_MatchedOnceMaxLatencyExpands()
    {
        var builder = Sample("squads-3v3-region.json");
        var tickets = Enumerable.Range(0, 6).Select(i => Ticket($"t{i}", 0, Player($"p{i}", 1000, latency: new() { ["eu-west-1"] = 170 + i }))).ToList();

        Assert.Empty(Find(builder, tickets, 9));
        Assert.Single(Find(builder, tickets, 10));
    }

    [Fact]
    public void FindMatches_Squads3v3MissingLatency_TicketNeverMatched()
    {
        var builder = Sample("squads-3v3-region.json");
        var tickets = Enumerable.Range(0, 5).Select(i => Ticket($"t{i}", 0, Player($"p{i}", 1000, latency: new() { ["eu-west-1"] = 40 })))
            .Append(Ticket("t-none", 0, Player("none", 1000)))
            .ToList();

        Assert.Empty(Find(builder, tickets, 100));
    }
}
