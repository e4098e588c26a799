using System.Diagnostics;
using System.Globalization;
using MetaServer.Matches.Rating;

namespace MetaServer.Bench;

/// <summary>
/// Rating updates/s for 5v5 matches (issue 5 aim: ≥ 50,000). One "rating update" is one player's rating replaced
/// after a match, so a 5v5 match is 10 updates. Single thread, in-process, no I/O: the pure cost of the Weng–Lin
/// update that the results handler pays per match.
/// </summary>
internal sealed class RatingSection(int matches, TextWriter output, TextWriter progress)
{
    private const int TeamSize = 5;
    private const int PlayersPerMatch = 2 * TeamSize;
    private const int Pool = 4096;

    public void Run()
    {
        var random = new Random(42);
        var players = new PlayerRating[Pool * PlayersPerMatch];
        for (var i = 0; i < players.Length; i++)
        {
            players[i] = new PlayerRating(15 + (random.NextDouble() * 20), 2 + (random.NextDouble() * 6.5));
        }

        // Ranks of each pooled match: about 5% draws, otherwise either team wins.
        var ranks = new int[Pool * 2];
        for (var m = 0; m < Pool; m++)
        {
            var roll = random.NextDouble();
            ranks[2 * m] = roll < 0.05 ? 1 : roll < 0.525 ? 1 : 2;
            ranks[(2 * m) + 1] = roll < 0.05 ? 1 : roll < 0.525 ? 2 : 1;
        }

        var plackettLuce = new RatingModel();
        var bradleyTerry = new RatingModel(new RatingOptions { Algorithm = RatingAlgorithm.BradleyTerryFull });
        var withTau = new RatingModel(new RatingOptions { Tau = 25.0 / 300.0, LimitSigma = true });

        progress.WriteLine($"(r) rating: {matches} 5v5 matches per run ...");
        var rows = new List<(string Name, Result Result)>
        {
            ("Plackett–Luce, span API (`Rate(players, teamSizes, ranks, updated)`)", MeasureFlat(plackettLuce, players, ranks)),
            ("Plackett–Luce, τ 25/300 + limit σ, span API", MeasureFlat(withTau, players, ranks)),
            ("Bradley–Terry full, span API", MeasureFlat(bradleyTerry, players, ranks)),
            ("Plackett–Luce, list API (`Rate(teams, ranks)` → new arrays)", MeasureList(plackettLuce, players, ranks)),
        };

        output.WriteLine($"### Rating: {matches.ToString("N0", CultureInfo.InvariantCulture)} 5v5 matches per run, one thread");
        output.WriteLine();
        output.WriteLine("A rating update is one player's rating replaced (10 per 5v5 match). Ratings are drawn from a pool of 4,096 random matches (μ 15–35, σ 2–8.5; about 5% draws); the run repeats over the pool after an unmeasured warm-up of a tenth of the matches. Aim: ≥ 50,000 rating updates/s.");
        output.WriteLine();
        output.WriteLine("| Model and API | Matches/s | Rating updates/s | ns per match | Bytes allocated per match |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, result) in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {result.MatchesPerSecond:N0} | {result.MatchesPerSecond * PlayersPerMatch:N0} | {1e9 / result.MatchesPerSecond:N0} | {result.BytesPerMatch:N0} |"));
        }

        output.WriteLine();
    }

    private Result MeasureFlat(RatingModel model, PlayerRating[] players, int[] ranks)
    {
        int[] teamSizes = [TeamSize, TeamSize];
        var updated = new PlayerRating[PlayersPerMatch];
        var checksum = 0.0;

        void RunMatches(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var m = i % Pool;
                model.Rate(players.AsSpan(m * PlayersPerMatch, PlayersPerMatch), teamSizes, ranks.AsSpan(2 * m, 2), updated);
                checksum += updated[0].Mu;
            }
        }

        RunMatches(Math.Max(1, matches / 10));
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        RunMatches(matches);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        GC.KeepAlive(checksum);
        return new Result(matches / elapsed.TotalSeconds, allocated / (double)matches);
    }

    private Result MeasureList(RatingModel model, PlayerRating[] players, int[] ranks)
    {
        var teams = new IReadOnlyList<PlayerRating>[Pool][];
        var rankLists = new int[Pool][];
        for (var m = 0; m < Pool; m++)
        {
            teams[m] =
            [
                players.AsSpan(m * PlayersPerMatch, TeamSize).ToArray(),
                players.AsSpan((m * PlayersPerMatch) + TeamSize, TeamSize).ToArray(),
            ];
            rankLists[m] = [ranks[2 * m], ranks[(2 * m) + 1]];
        }

        var checksum = 0.0;

        void RunMatches(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var m = i % Pool;
                checksum += model.Rate(teams[m], rankLists[m])[0][0].Mu;
            }
        }

        RunMatches(Math.Max(1, matches / 10));
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        RunMatches(matches);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        GC.KeepAlive(checksum);
        return new Result(matches / elapsed.TotalSeconds, allocated / (double)matches);
    }

    private readonly record struct Result(double MatchesPerSecond, double BytesPerMatch);
}
