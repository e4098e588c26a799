using MetaServer.GameConfig;
using MetaServer.GameServer.Sdk;
using MetaServer.Protocol.Internal.V1;

namespace MetaServer.GameServer.Sample;

/// <summary>
/// Makes up a plausible result for a match. Deterministic for a given <see cref="Random"/> state. Two teams: one
/// winner, or a draw with <c>drawChance</c>; three or more teams (free-for-all): every team gets a distinct rank.
/// Per-player stats use the game config's quest stat names (<see cref="QuestStats"/>): kills, assists, headshots,
/// damage, and objectivesCaptured in domination. matchesPlayed and wins are left to the services (they derive them).
/// </summary>
public static class MatchSimulator
{
    /// <summary>Game mode whose players capture objectives.</summary>
    public const string ObjectiveGameMode = "domination";

    public static MatchResult Simulate(GameServerMatch match, Random random, double drawChance, double leaveEarlyChance, DateTimeOffset endedAt)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(random);
        var ranks = RankTeams(match.Teams.Select(t => t.Name).ToArray(), random, drawChance);
        var players = new List<PlayerResult>();
        foreach (var team in match.Teams)
        {
            var won = ranks[team.Name] == 1;
            foreach (var player in team.Players)
            {
                players.Add(SimulatePlayer(match.GameMode, player, won, random, leaveEarlyChance));
            }
        }

        var placements = match.Teams.Select(t => new TeamRank(t.Name, ranks[t.Name])).ToArray();
        return new MatchResult(placements, players, endedAt);
    }

    private static Dictionary<string, int> RankTeams(string[] teams, Random random, double drawChance)
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        if (teams.Length == 2 && random.NextDouble() < drawChance)
        {
            ranks[teams[0]] = 1;
            ranks[teams[1]] = 1;
            return ranks;
        }

        var order = teams.ToArray();
        random.Shuffle(order);
        for (var i = 0; i < order.Length; i++)
        {
            ranks[order[i]] = i + 1;
        }

        return ranks;
    }

    private static PlayerResult SimulatePlayer(string gameMode, MatchParticipant player, bool won, Random random, double leaveEarlyChance)
    {
        var leftEarly = !player.Bot && random.NextDouble() < leaveEarlyChance;
        var kills = random.Next(0, leftEarly ? 5 : 16) + (won ? random.Next(0, 5) : 0);
        var stats = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [QuestStats.Kills] = kills,
            [QuestStats.Assists] = random.Next(0, 11),
            [QuestStats.Headshots] = random.Next(0, kills + 1),
            [QuestStats.Damage] = (kills * 90L) + random.Next(0, 1501),
        };
        if (string.Equals(gameMode, ObjectiveGameMode, StringComparison.Ordinal))
        {
            stats[QuestStats.ObjectivesCaptured] = random.Next(0, won ? 6 : 4);
        }

        return new PlayerResult(player.PlayerId, stats, leftEarly);
    }
}
