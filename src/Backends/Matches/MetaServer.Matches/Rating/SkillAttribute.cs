namespace MetaServer.Matches.Rating;

/// <summary>
/// The number that feeds the matchmaker's <c>skill</c> player attribute (FlexMatch attribute type <c>number</c>)
/// and the display rating shown to players and on leaderboards.
/// </summary>
/// <remarks>
/// <para>
/// <c>skill = max(0, round(1000 + 40 · Ordinal))</c>, where <see cref="PlayerRating.Ordinal"/> = μ − 3σ.
/// A new player (μ 25, σ 25/3) is 1000; one ordinal point is 40 skill points, so the whole practical range of
/// OpenSkill ordinals (about −10 … 50) maps to about 600 … 3000, an Elo-like scale. Integers keep FlexMatch rule
/// expressions simple: a <c>distance</c> rule with <c>maxDistance: 200</c> allows five ordinal points of spread, and
/// expansions widen it in the same units.
/// </para>
/// <para>
/// The ordinal (not μ) is used on purpose: a new or long-absent player (large σ) is matched below their mean until
/// the system is sure of them, which protects established players from mis-rated newcomers; the same number is the
/// leaderboard score, so players see one rating everywhere. The mapping is monotone, so ordering by skill and by
/// ordinal agree (up to rounding).
/// </para>
/// </remarks>
public static class SkillAttribute
{
    /// <summary>The FlexMatch player attribute name the matches service fills with <see cref="FromRating"/>.</summary>
    public const string AttributeName = "skill";

    /// <summary>Skill of a player whose ordinal is 0 (every new player).</summary>
    public const double Offset = 1000.0;

    /// <summary>Skill points per ordinal point.</summary>
    public const double Scale = 40.0;

    /// <summary>The skill attribute / display rating of <paramref name="rating"/> (a non-negative whole number).</summary>
    public static double FromRating(PlayerRating rating)
    {
        if (!double.IsFinite(rating.Mu) || !double.IsFinite(rating.Sigma))
        {
            throw new ArgumentException($"Rating must be finite, got mu {rating.Mu}, sigma {rating.Sigma}.", nameof(rating));
        }

        return Math.Max(0.0, Math.Round(Offset + (Scale * rating.Ordinal), MidpointRounding.AwayFromZero));
    }
}
