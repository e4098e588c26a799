namespace MetaServer.Matches.Rating;

/// <summary>Which Weng–Lin update rule <see cref="RatingModel"/> uses.</summary>
public enum RatingAlgorithm
{
    /// <summary>Plackett–Luce (Weng &amp; Lin 2011, Algorithm 4): one ranking likelihood over all teams; the OpenSkill default.</summary>
    PlackettLuce = 0,

    /// <summary>Bradley–Terry with full pairing (Weng &amp; Lin 2011, Algorithm 1): every pair of teams compared.</summary>
    BradleyTerryFull = 1,
}

/// <summary>
/// Parameters of the Weng–Lin rating (bindable, e.g. from <c>MetaServer:Matches:Rating</c>). Defaults are the
/// standard OpenSkill ones: μ 25, σ 25/3, β 25/6 (σ/2), κ 0.0001, τ 0 (no added dynamics), no sigma limit.
/// </summary>
public sealed class RatingOptions
{
    /// <summary>Update rule (default Plackett–Luce).</summary>
    public RatingAlgorithm Algorithm { get; set; } = RatingAlgorithm.PlackettLuce;

    /// <summary>Mean of a new player's rating.</summary>
    public double Mu { get; set; } = 25.0;

    /// <summary>Standard deviation of a new player's rating.</summary>
    public double Sigma { get; set; } = 25.0 / 3.0;

    /// <summary>Performance noise per player (the default is half the default σ, as in OpenSkill; it is not derived from <see cref="Sigma"/>).</summary>
    public double Beta { get; set; } = 25.0 / 6.0;

    /// <summary>Small positive floor that keeps σ² from shrinking to zero or below in one update.</summary>
    public double Kappa { get; set; } = 0.0001;

    /// <summary>
    /// Additive dynamics: before each update every σ becomes √(σ² + τ²), so ratings can keep moving as skills change
    /// (OpenSkill suggests σ/100, i.e. 25/300). 0 (default) turns it off, and then σ never grows.
    /// </summary>
    public double Tau { get; set; }

    /// <summary>When true, no player's σ ends an update larger than it started (useful together with <see cref="Tau"/>).</summary>
    public bool LimitSigma { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad parameter.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentException($"Rating Algorithm '{Algorithm}' is not one of {string.Join(", ", Enum.GetNames<RatingAlgorithm>())}.", nameof(Algorithm));
        }

        RequireFinite(Mu, nameof(Mu));
        RequirePositive(Sigma, nameof(Sigma));
        RequirePositive(Beta, nameof(Beta));
        RequirePositive(Kappa, nameof(Kappa));
        RequireFinite(Tau, nameof(Tau));
        if (Tau < 0)
        {
            throw new ArgumentException($"Rating Tau must be 0 or more, got {Tau}.", nameof(Tau));
        }
    }

    private static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Rating {name} must be a finite number, got {value}.", name);
        }
    }

    private static void RequirePositive(double value, string name)
    {
        RequireFinite(value, name);
        if (value <= 0)
        {
            throw new ArgumentException($"Rating {name} must be greater than 0, got {value}.", name);
        }
    }
}
