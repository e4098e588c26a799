using System.Diagnostics;
using System.Globalization;
using MetaServer.Matchmaking;
using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Bench;

/// <summary>
/// Throughput and time-to-match of the offline FlexMatch-compatible match builder (issue 5 aims: ≥ 5,000 tickets/s,
/// p99 time-to-match &lt; 1 s for satisfiable pools). One thread, in-process, on the wall clock: a matchmaker loop
/// keeps the pool at N searching tickets (every matched ticket is replaced by a new arrival stamped with the current
/// time) and calls <see cref="IMatchBuilder.FindMatches"/> back to back with "now" = the wall clock.
/// </summary>
internal sealed class MatchmakerSection(TimeSpan duration, IReadOnlyList<int> pools, TextWriter output, TextWriter progress)
{
    private static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public void Run()
    {
        var ruleSetPath = Path.Combine(AppContext.BaseDirectory, "matchmaking", "team-5v5-skill.json");
        var ruleSet = RuleSetParser.ParseFile(ruleSetPath);
        var builder = new MatchBuilderFactory().Create(ruleSet);
        var warmup = TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, duration.TotalSeconds / 5)));

        output.WriteLine($"### Matchmaker: 5v5 rule set `config/matchmaking/team-5v5-skill.json`, {duration.TotalSeconds:0} s measured per pool size after {warmup.TotalSeconds:0} s warm-up, one thread");
        output.WriteLine();
        output.WriteLine("Tickets: 80% solo, 15% duos, 5% trios; skill ~ Normal(1500, 300) per player (clipped to 0–3000); gameMode 90% \"ranked\", 10% \"casual\". " +
            "The pool is kept at N searching tickets: each matched ticket is replaced at once by a new arrival stamped with the current wall-clock time, and FindMatches runs back to back with now = the wall clock. " +
            "**Tickets/s** = tickets put into proposed matches per second of wall time. **Time-to-match** = wall time from a ticket's arrival in the pool to the end of the FindMatches call that proposed it (so it includes waiting for expansions and the call itself), over the tickets that arrived after the warm-up and were matched within the measured window. " +
            "The rule set's expansions (SkillDistance 100 → 200 at 10 s → 400 at 20 s → 1000 at 40 s; FairTeams 50 → 100 at 15 s → 250 at 30 s) run on the same clock.");
        output.WriteLine();
        output.WriteLine("| Waiting tickets (N) | Tickets/s | Matches/s | Time-to-match p50 | p99 | max | Matched ≥ 10 s | FindMatches calls | Call p50 | Call p99 | Still waiting > 10 s at end |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var pool in pools)
        {
            progress.WriteLine($"(m) matchmaker: pool of {pool} tickets ...");
            var result = Measure(builder, pool, warmup);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {pool:N0} | {result.TicketsPerSecond:N0} | {result.MatchesPerSecond:N0} | {Ms(result.TimeToMatch, 0.50)} | {Ms(result.TimeToMatch, 0.99)} | {Ms(result.TimeToMatch, 1.0)} | {result.SlowShare:P2} | {result.Calls:N0} | {Ms(result.CallTimes, 0.50)} | {Ms(result.CallTimes, 0.99)} | {result.LongWaitingAtEnd:N0} |"));
        }

        output.WriteLine();
    }

    private Result Measure(IMatchBuilder builder, int poolSize, TimeSpan warmup)
    {
        var random = new Random(poolSize);
        var pool = new Dictionary<string, PoolTicket>(poolSize);
        var arrivals = new Dictionary<string, double>(poolSize);
        var next = 0;
        var clock = Stopwatch.StartNew();

        void Refill()
        {
            var now = clock.Elapsed.TotalSeconds;
            while (pool.Count < poolSize)
            {
                var ticket = NewTicket(random, next++, Origin.AddSeconds(now));
                pool.Add(ticket.TicketId, ticket);
                arrivals[ticket.TicketId] = now;
            }
        }

        var measureFrom = warmup.TotalSeconds;
        var measureTo = measureFrom + duration.TotalSeconds;
        var timeToMatch = new List<double>();
        var callTimes = new List<double>();
        long matchedTickets = 0, matches = 0;
        Refill();
        while (clock.Elapsed.TotalSeconds < measureTo)
        {
            var started = clock.Elapsed.TotalSeconds;
            var proposals = builder.FindMatches(pool.Values, Origin.AddSeconds(started));
            var ended = clock.Elapsed.TotalSeconds;
            var measuring = started >= measureFrom;
            if (measuring)
            {
                callTimes.Add(ended - started);
                matches += proposals.Count;
            }

            foreach (var proposal in proposals)
            {
                foreach (var ticketId in proposal.TicketIds)
                {
                    pool.Remove(ticketId);
                    var arrived = arrivals[ticketId];
                    arrivals.Remove(ticketId);
                    if (measuring)
                    {
                        matchedTickets++;
                    }

                    if (arrived >= measureFrom)
                    {
                        timeToMatch.Add(ended - arrived);
                    }
                }
            }

            Refill();
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        var measured = Math.Max(1e-9, Math.Min(elapsed, measureTo) - measureFrom);
        var longWaiting = arrivals.Values.Count(a => elapsed - a > 10);
        timeToMatch.Sort();
        callTimes.Sort();
        var slow = timeToMatch.Count == 0 ? 0 : timeToMatch.Count(t => t >= 10) / (double)timeToMatch.Count;
        return new Result(matchedTickets / measured, matches / measured, timeToMatch, callTimes, callTimes.Count, slow, longWaiting);
    }

    private static PoolTicket NewTicket(Random random, int index, DateTimeOffset start)
    {
        var roll = random.NextDouble();
        var size = roll < 0.80 ? 1 : roll < 0.95 ? 2 : 3;
        var mode = random.NextDouble() < 0.9 ? "ranked" : "casual";
        var id = "t" + index.ToString(CultureInfo.InvariantCulture);
        var players = new MatchmakingPlayer[size];
        for (var p = 0; p < size; p++)
        {
            var skill = Math.Clamp(1500 + (300 * Gaussian(random)), 0, 3000);
            players[p] = new MatchmakingPlayer(
                id + "-p" + p.ToString(CultureInfo.InvariantCulture),
                new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
                {
                    ["skill"] = new NumberAttributeValue(Math.Round(skill)),
                    ["gameMode"] = new StringAttributeValue(mode),
                },
                new Dictionary<string, int>());
        }

        return new PoolTicket(id, start, [.. players]);
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static string Ms(List<double> sortedSeconds, double quantile)
    {
        if (sortedSeconds.Count == 0)
        {
            return "—";
        }

        var index = Math.Clamp((int)Math.Ceiling(quantile * sortedSeconds.Count) - 1, 0, sortedSeconds.Count - 1);
        var seconds = sortedSeconds[index];
        return seconds >= 1
            ? seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s"
            : (seconds * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " ms";
    }

    private sealed record Result(
        double TicketsPerSecond, double MatchesPerSecond, List<double> TimeToMatch, List<double> CallTimes, int Calls, double SlowShare, int LongWaitingAtEnd);
}
