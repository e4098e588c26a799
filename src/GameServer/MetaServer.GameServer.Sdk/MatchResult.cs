using MetaServer.Protocol.Internal.V1;

namespace MetaServer.GameServer.Sdk;

/// <summary>
/// The result of a match: every team's placement and per-player statistics. Team ranks start at 1 (best); teams with
/// equal ranks drew. Players may include bots (the matches service ignores them for rewards and rating); players
/// without an entry simply report no statistics.
/// </summary>
/// <param name="Placements">One entry per team of the match.</param>
/// <param name="Players">Per-player statistics; at most one entry per player of the match.</param>
/// <param name="EndedAt">When the match ended; the SDK uses its clock when null.</param>
public sealed record MatchResult(IReadOnlyList<TeamRank> Placements, IReadOnlyList<PlayerResult> Players, DateTimeOffset? EndedAt = null);

/// <summary>A team's placement: rank 1 is best, equal ranks are a draw.</summary>
public sealed record TeamRank(string Team, int Rank);

/// <summary>
/// One player's statistics: stat name (the game config's quest stats, e.g. <c>kills</c>, <c>damage</c>) to a
/// non-negative value. <paramref name="LeftEarly"/>: the player left before the end (still rated and rewarded as
/// the team's placement). <c>matchesPlayed</c> and <c>wins</c> are derived from the placements by the services.
/// </summary>
public sealed record PlayerResult(string PlayerId, IReadOnlyDictionary<string, long> Stats, bool LeftEarly = false);

/// <summary>Checks results against their match and turns them into the wire report.</summary>
public static class MatchResultValidator
{
    /// <summary>Every problem of <paramref name="result"/> for <paramref name="match"/>; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(GameServerMatch match, MatchResult result)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(result);
        var problems = new List<string>();
        var teams = match.Teams.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var placement in result.Placements ?? [])
        {
            if (placement is null)
            {
                problems.Add("a placement is null");
                continue;
            }

            if (!teams.Contains(placement.Team ?? string.Empty))
            {
                problems.Add($"team '{placement.Team}' is not a team of the match");
            }
            else if (!placed.Add(placement.Team!))
            {
                problems.Add($"team '{placement.Team}' is placed more than once");
            }

            if (placement.Rank < 1)
            {
                problems.Add($"team '{placement.Team}' has rank {placement.Rank}; ranks start at 1");
            }
        }

        foreach (var team in teams.Where(t => !placed.Contains(t)).Order(StringComparer.Ordinal))
        {
            problems.Add($"team '{team}' is not placed");
        }

        var players = match.Teams.SelectMany(t => t.Players).Select(p => p.PlayerId).ToHashSet(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var player in result.Players ?? [])
        {
            if (player is null)
            {
                problems.Add("a player result is null");
                continue;
            }

            if (!players.Contains(player.PlayerId ?? string.Empty))
            {
                problems.Add($"player '{player.PlayerId}' is not in the match");
            }
            else if (!reported.Add(player.PlayerId!))
            {
                problems.Add($"player '{player.PlayerId}' is reported more than once");
            }

            foreach (var (stat, value) in player.Stats ?? new Dictionary<string, long>())
            {
                if (string.IsNullOrWhiteSpace(stat))
                {
                    problems.Add($"player '{player.PlayerId}' has a stat without a name");
                }
                else if (value < 0)
                {
                    problems.Add($"player '{player.PlayerId}' has negative stat '{stat}' ({value})");
                }
            }
        }

        return problems;
    }

    /// <summary>The wire form of a (valid) result.</summary>
    public static MatchResultReport ToReport(MatchResult result, DateTimeOffset endedAt)
    {
        ArgumentNullException.ThrowIfNull(result);
        var report = new MatchResultReport { EndedAtUnixMs = endedAt.ToUnixTimeMilliseconds() };
        report.Placements.Add(result.Placements.Select(p => new TeamPlacement { Team = p.Team, Rank = p.Rank }));
        foreach (var player in result.Players)
        {
            var stats = new PlayerMatchStats { PlayerId = player.PlayerId, LeftEarly = player.LeftEarly };
            foreach (var (stat, value) in player.Stats)
            {
                stats.Stats[stat] = value;
            }

            report.Players.Add(stats);
        }

        return report;
    }
}

/// <summary>
/// Message ids of game-server reports: deterministic per match and report kind, so a retried report carries the
/// same id and the matches service recognises it as the same report.
/// </summary>
public static class GameServerReportIds
{
    /// <summary>Id of the started report of a match: <c>&lt;match id&gt;:started</c>.</summary>
    public static string Started(string matchId) => $"{matchId}:started";

    /// <summary>Id of the result report of a match: <c>&lt;match id&gt;:result</c>.</summary>
    public static string Result(string matchId) => $"{matchId}:result";
}
