namespace MetaServer.Matches.Rating;

/// <summary>
/// Weng–Lin Bayesian team rating ("A Bayesian Approximation Method for Online Ranking", R. C. Weng and C.-J. Lin,
/// JMLR 12, 2011), the method behind OpenSkill: Plackett–Luce (Algorithm 4) or Bradley–Terry full pairing
/// (Algorithm 1). Any number of teams of any size (at least one player each), ranks with ties. Thread-safe and
/// stateless apart from its options; results match the openskill reference libraries.
/// </summary>
/// <remarks>
/// A team's strength is the sum of its players' μ and its variance the sum of their σ². Each team gets an update
/// (Ω for the mean, Δ for the variance) and each player receives the share σ²/σ²_team of it:
/// μ' = μ + (σ²/σ²_team)·Ω and σ' = σ·√max(1 − (σ²/σ²_team)·Δ, κ). The default γ (σ_team / c) is used.
/// </remarks>
public sealed class RatingModel
{
    private const int StackTeams = 16;

    private readonly RatingAlgorithm _algorithm;
    private readonly double _betaSquared;
    private readonly double _kappa;
    private readonly double _tauSquared;
    private readonly bool _limitSigma;

    /// <summary>Creates a model; <paramref name="options"/> default to the standard OpenSkill parameters.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public RatingModel(RatingOptions? options = null)
    {
        options ??= new RatingOptions();
        options.Validate();
        Mu = options.Mu;
        Sigma = options.Sigma;
        Beta = options.Beta;
        _algorithm = options.Algorithm;
        _betaSquared = options.Beta * options.Beta;
        _kappa = options.Kappa;
        _tauSquared = options.Tau * options.Tau;
        _limitSigma = options.LimitSigma;
    }

    /// <summary>Mean of a new player's rating.</summary>
    public double Mu { get; }

    /// <summary>Standard deviation of a new player's rating.</summary>
    public double Sigma { get; }

    /// <summary>Per-player performance noise β.</summary>
    public double Beta { get; }

    /// <summary>The rating of a player who has not played yet.</summary>
    public PlayerRating NewPlayer() => new(Mu, Sigma);

    /// <summary>Rates a match in which the teams finished in the order given (first team won, and so on; no ties).</summary>
    public PlayerRating[][] Rate(IReadOnlyList<IReadOnlyList<PlayerRating>> teams)
    {
        ArgumentNullException.ThrowIfNull(teams);
        var ranks = new int[teams.Count];
        for (var t = 0; t < ranks.Length; t++)
        {
            ranks[t] = t + 1;
        }

        return Rate(teams, ranks);
    }

    /// <summary>
    /// Rates a match. <paramref name="ranks"/>[t] is team t's finishing place: lower is better, equal values are ties
    /// (1, 2, 2, 4 and 0, 5, 5, 9 mean the same). Returns new ratings in the same shape; inputs are not modified.
    /// </summary>
    /// <exception cref="ArgumentException">No teams, an empty team, ranks not one per team, or a rating that is not finite or has σ ≤ 0.</exception>
    public PlayerRating[][] Rate(IReadOnlyList<IReadOnlyList<PlayerRating>> teams, IReadOnlyList<int> ranks)
    {
        ArgumentNullException.ThrowIfNull(teams);
        ArgumentNullException.ThrowIfNull(ranks);
        var teamSizes = new int[teams.Count];
        var total = 0;
        for (var t = 0; t < teams.Count; t++)
        {
            var team = teams[t] ?? throw new ArgumentException($"Team {t} is null.", nameof(teams));
            teamSizes[t] = team.Count;
            total += team.Count;
        }

        var players = new PlayerRating[total];
        var at = 0;
        foreach (var team in teams)
        {
            foreach (var player in team)
            {
                players[at++] = player;
            }
        }

        var rankArray = new int[ranks.Count];
        for (var t = 0; t < rankArray.Length; t++)
        {
            rankArray[t] = ranks[t];
        }

        var updated = new PlayerRating[total];
        Rate(players, teamSizes, rankArray, updated);

        var result = new PlayerRating[teams.Count][];
        at = 0;
        for (var t = 0; t < result.Length; t++)
        {
            result[t] = updated.AsSpan(at, teamSizes[t]).ToArray();
            at += teamSizes[t];
        }

        return result;
    }

    /// <summary>
    /// Allocation-free form of <see cref="Rate(IReadOnlyList{IReadOnlyList{PlayerRating}}, IReadOnlyList{int})"/>
    /// (for up to 16 teams): <paramref name="players"/> holds the teams one after another, team t being the next
    /// <paramref name="teamSizes"/>[t] players; the new ratings are written to <paramref name="updated"/> in the same
    /// order (it may be the same memory as <paramref name="players"/>).
    /// </summary>
    /// <exception cref="ArgumentException">See the list form; also when <paramref name="updated"/> is not as long as <paramref name="players"/>.</exception>
    public void Rate(ReadOnlySpan<PlayerRating> players, ReadOnlySpan<int> teamSizes, ReadOnlySpan<int> ranks, Span<PlayerRating> updated)
    {
        Check(players, teamSizes);
        if (ranks.Length != teamSizes.Length)
        {
            throw new ArgumentException($"ranks has {ranks.Length} entries but there are {teamSizes.Length} teams; give one rank per team.", nameof(ranks));
        }

        if (updated.Length != players.Length)
        {
            throw new ArgumentException($"updated has room for {updated.Length} ratings but there are {players.Length} players.", nameof(updated));
        }

        var k = teamSizes.Length;
        Span<double> scratch = k <= StackTeams ? stackalloc double[2 * StackTeams] : new double[2 * k];
        var teamMu = scratch[..k];
        var teamSigmaSquared = scratch.Slice(k, k);
        var at = 0;
        for (var t = 0; t < k; t++)
        {
            double mu = 0, sigmaSquared = 0;
            foreach (var player in players.Slice(at, teamSizes[t]))
            {
                mu += player.Mu;
                sigmaSquared += (player.Sigma * player.Sigma) + _tauSquared;
            }

            teamMu[t] = mu;
            teamSigmaSquared[t] = sigmaSquared;
            at += teamSizes[t];
        }

        at = 0;
        for (var i = 0; i < k; i++)
        {
            var (omega, delta) = _algorithm == RatingAlgorithm.PlackettLuce
                ? PlackettLuceTeamUpdate(i, teamMu, teamSigmaSquared, ranks)
                : BradleyTerryFullTeamUpdate(i, teamMu, teamSigmaSquared, ranks);
            var size = teamSizes[i];
            for (var j = at; j < at + size; j++)
            {
                var before = players[j];
                var sigmaSquared = (before.Sigma * before.Sigma) + _tauSquared;
                var share = sigmaSquared / teamSigmaSquared[i];
                var sigma = Math.Sqrt(sigmaSquared) * Math.Sqrt(Math.Max(1 - (share * delta), _kappa));
                if (_limitSigma && sigma > before.Sigma)
                {
                    sigma = before.Sigma;
                }

                updated[j] = new PlayerRating(before.Mu + (share * omega), sigma);
            }

            at += size;
        }
    }

    /// <summary>
    /// Probability of each team winning (they sum to 1): the average over all pairs of teams of
    /// Φ((μ_i − μ_j) / √(n·β² + σ²_i + σ²_j)), n being the number of players in the match. Two equal teams get 0.5 each.
    /// </summary>
    /// <exception cref="ArgumentException">No teams, an empty team, or a rating that is not finite or has σ ≤ 0.</exception>
    public double[] PredictWin(IReadOnlyList<IReadOnlyList<PlayerRating>> teams)
    {
        ArgumentNullException.ThrowIfNull(teams);
        var teamSizes = new int[teams.Count];
        var players = new List<PlayerRating>();
        for (var t = 0; t < teams.Count; t++)
        {
            var team = teams[t] ?? throw new ArgumentException($"Team {t} is null.", nameof(teams));
            teamSizes[t] = team.Count;
            players.AddRange(team);
        }

        var probabilities = new double[teams.Count];
        PredictWin(players.ToArray(), teamSizes, probabilities);
        return probabilities;
    }

    /// <summary>Allocation-free form of <see cref="PredictWin(IReadOnlyList{IReadOnlyList{PlayerRating}})"/> over the flat layout of <see cref="Rate(ReadOnlySpan{PlayerRating}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{PlayerRating})"/>.</summary>
    public void PredictWin(ReadOnlySpan<PlayerRating> players, ReadOnlySpan<int> teamSizes, Span<double> probabilities)
    {
        Check(players, teamSizes);
        var k = teamSizes.Length;
        if (probabilities.Length != k)
        {
            throw new ArgumentException($"probabilities has room for {probabilities.Length} values but there are {k} teams.", nameof(probabilities));
        }

        if (k == 1)
        {
            probabilities[0] = 1.0;
            return;
        }

        Span<double> scratch = k <= StackTeams ? stackalloc double[2 * StackTeams] : new double[2 * k];
        var teamMu = scratch[..k];
        var teamSigmaSquared = scratch.Slice(k, k);
        var at = 0;
        for (var t = 0; t < k; t++)
        {
            double mu = 0, sigmaSquared = 0;
            foreach (var player in players.Slice(at, teamSizes[t]))
            {
                mu += player.Mu;
                sigmaSquared += player.Sigma * player.Sigma;
            }

            teamMu[t] = mu;
            teamSigmaSquared[t] = sigmaSquared;
            at += teamSizes[t];
        }

        var pairs = k * (k - 1) / 2.0;
        var noise = players.Length * _betaSquared;
        for (var i = 0; i < k; i++)
        {
            double sum = 0;
            for (var j = 0; j < k; j++)
            {
                if (j != i)
                {
                    sum += NormalCdf((teamMu[i] - teamMu[j]) / Math.Sqrt(noise + teamSigmaSquared[i] + teamSigmaSquared[j]));
                }
            }

            probabilities[i] = sum / pairs;
        }
    }

    /// <summary>Standard normal CDF Φ(x) via erfc (Numerical Recipes' Chebyshev fit, fractional error below 1.2e-7).</summary>
    internal static double NormalCdf(double x)
    {
        var z = Math.Abs(x) / Math.Sqrt(2.0);
        var t = 1.0 / (1.0 + (0.5 * z));
        var poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806
            + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        var erfc = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? 1.0 - (0.5 * erfc) : 0.5 * erfc;
    }

    private (double Omega, double Delta) PlackettLuceTeamUpdate(int i, ReadOnlySpan<double> teamMu, ReadOnlySpan<double> teamSigmaSquared, ReadOnlySpan<int> ranks)
    {
        var k = teamMu.Length;
        var cSquared = 0.0;
        var maxMu = double.NegativeInfinity;
        for (var q = 0; q < k; q++)
        {
            cSquared += teamSigmaSquared[q] + _betaSquared;
            maxMu = Math.Max(maxMu, teamMu[q]);
        }

        var c = Math.Sqrt(cSquared);

        // exp(μ/c) shifted by the largest μ/c (ratios unchanged, no overflow for extreme ratings).
        var expI = Math.Exp((teamMu[i] - maxMu) / c);
        double omega = 0, delta = 0;
        for (var q = 0; q < k; q++)
        {
            if (ranks[q] > ranks[i])
            {
                continue;
            }

            // sum_q: teams placed at q's rank or worse; a_q: teams tied with q.
            double sumQ = 0;
            var tiedWithQ = 0;
            for (var s = 0; s < k; s++)
            {
                if (ranks[s] >= ranks[q])
                {
                    sumQ += Math.Exp((teamMu[s] - maxMu) / c);
                }

                if (ranks[s] == ranks[q])
                {
                    tiedWithQ++;
                }
            }

            var p = expI / sumQ;
            delta += p * (1 - p) / tiedWithQ;
            omega += q == i ? (1 - p) / tiedWithQ : -p / tiedWithQ;
        }

        var sigmaSquaredI = teamSigmaSquared[i];
        var gamma = Math.Sqrt(sigmaSquaredI) / c;
        return (omega * sigmaSquaredI / c, delta * gamma * sigmaSquaredI / cSquared);
    }

    private (double Omega, double Delta) BradleyTerryFullTeamUpdate(int i, ReadOnlySpan<double> teamMu, ReadOnlySpan<double> teamSigmaSquared, ReadOnlySpan<int> ranks)
    {
        double omega = 0, delta = 0;
        var sigmaSquaredI = teamSigmaSquared[i];
        var gammaNumerator = Math.Sqrt(sigmaSquaredI);
        for (var q = 0; q < teamMu.Length; q++)
        {
            if (q == i)
            {
                continue;
            }

            var ciq = Math.Sqrt(sigmaSquaredI + teamSigmaSquared[q] + (2 * _betaSquared));
            var piq = 1 / (1 + Math.Exp((teamMu[q] - teamMu[i]) / ciq));
            var sigmaSquaredOverCiq = sigmaSquaredI / ciq;
            var score = ranks[q] > ranks[i] ? 1.0 : ranks[q] == ranks[i] ? 0.5 : 0.0;
            omega += sigmaSquaredOverCiq * (score - piq);
            var gamma = gammaNumerator / ciq;
            delta += gamma * sigmaSquaredOverCiq / ciq * piq * (1 - piq);
        }

        return (omega, delta);
    }

    private static void Check(ReadOnlySpan<PlayerRating> players, ReadOnlySpan<int> teamSizes)
    {
        if (teamSizes.Length == 0)
        {
            throw new ArgumentException("A match needs at least one team; got none.", nameof(teamSizes));
        }

        var total = 0;
        for (var t = 0; t < teamSizes.Length; t++)
        {
            if (teamSizes[t] <= 0)
            {
                throw new ArgumentException($"Team {t} has no players; every team needs at least one.", nameof(teamSizes));
            }

            total += teamSizes[t];
        }

        if (total != players.Length)
        {
            throw new ArgumentException($"The team sizes add up to {total} players but {players.Length} ratings were given.", nameof(players));
        }

        var at = 0;
        for (var t = 0; t < teamSizes.Length; t++)
        {
            for (var p = 0; p < teamSizes[t]; p++, at++)
            {
                var rating = players[at];
                if (!double.IsFinite(rating.Mu) || !double.IsFinite(rating.Sigma) || rating.Sigma <= 0)
                {
                    throw new ArgumentException($"Team {t} player {p} has rating mu {rating.Mu}, sigma {rating.Sigma}; mu must be finite and sigma finite and greater than 0.", nameof(players));
                }
            }
        }
    }
}
