using System.Collections.Immutable;
using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Tests.Engine;

/// <summary>Tickets, players and builders for the match builder tests.</summary>
internal static class EngineTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    public static IMatchBuilder Sample(string fileName) =>
        new MatchBuilderFactory().Create(RuleSetParser.ParseFile(SampleRuleSetTests.SamplePath(fileName)));

    public static IMatchBuilder Inline(string json) => new MatchBuilderFactory().Create(RuleSetParser.Parse(json, "inline.json"));

    public static MatchmakingPlayer Player(string id, double? skill = null, Dictionary<string, AttributeValue>? attributes = null, Dictionary<string, int>? latency = null)
    {
        var all = new Dictionary<string, AttributeValue>(attributes ?? [], StringComparer.Ordinal);
        if (skill is { } s)
        {
            all["skill"] = new NumberAttributeValue(s);
        }

        return new MatchmakingPlayer(id, all, latency ?? []);
    }

    public static PoolTicket Ticket(string id, double startSeconds, params MatchmakingPlayer[] players) =>
        new(id, T0.AddSeconds(startSeconds), [.. players]);

    /// <summary>A one-player ticket "t-{id}" with player "{id}" of the given skill.</summary>
    public static PoolTicket Solo(string id, double skill, double startSeconds = 0) => Ticket("t-" + id, startSeconds, Player(id, skill));

    public static StringAttributeValue Str(string value) => new(value);

    public static NumberAttributeValue Num(double value) => new(value);

    public static StringListAttributeValue List(params string[] values) => new([.. values]);

    public static IReadOnlyList<ProposedMatch> Find(IMatchBuilder builder, IEnumerable<PoolTicket> tickets, double atSeconds) =>
        builder.FindMatches(tickets.ToList(), T0.AddSeconds(atSeconds));

    public static string[] Players(ProposedMatch match, string team) => [.. match.Teams.Single(t => t.Name == team).PlayerIds];

    public static HashSet<string> AllPlayers(ProposedMatch match) => match.Teams.SelectMany(t => t.PlayerIds).ToHashSet();
}
