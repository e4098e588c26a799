namespace MetaServer.Matches.Rating;

/// <summary>
/// A player's Weng–Lin (OpenSkill) rating: a Gaussian belief about the player's skill with mean <see cref="Mu"/> and
/// standard deviation <see cref="Sigma"/>. Immutable; <see cref="RatingModel"/> returns new values.
/// </summary>
/// <param name="Mu">Mean skill (default 25 for a new player).</param>
/// <param name="Sigma">Uncertainty (default 25/3 for a new player); must be positive.</param>
public readonly record struct PlayerRating(double Mu, double Sigma)
{
    /// <summary>How many standard deviations <see cref="Ordinal"/> subtracts from the mean.</summary>
    public const double OrdinalSigmas = 3.0;

    /// <summary>
    /// Conservative skill estimate <c>Mu − 3·Sigma</c>: the player is better than this with about 99.7% confidence.
    /// A new player (25, 25/3) has ordinal 0; it rises both by winning and by becoming certain (playing more).
    /// Leaderboards and <see cref="SkillAttribute"/> rank by it.
    /// </summary>
    public double Ordinal => Mu - (OrdinalSigmas * Sigma);
}
