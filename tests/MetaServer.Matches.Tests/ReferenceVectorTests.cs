using MetaServer.Matches.Rating;

namespace MetaServer.Matches.Tests;

/// <summary>
/// Expected values published with the openskill reference implementations of Weng &amp; Lin (2011), used as test data
/// only. Sources (read at the commits fetched on 2026-11-22):
/// - openskill.py (github.com/OpenDebates/openskill.py, commit cc684f1): tests/models/data/plackettluce.json and
///   tests/models/data/bradleyterryfull.json, produced by tests/models/generate.py and checked by
///   tests/models/weng_lin/test_plackett_luce.py / test_bradley_terry_full.py. Those models use a random μ/σ (stored
///   in the file), β 25/6 and τ 25/300 (openskill.py's default at that commit).
/// - openskill.js (github.com/philihp/openskill.js): src/models/__tests__/plackett-luce.test.ts,
///   src/models/__tests__/bradley-terry-full.test.ts (default parameters, τ 0) and src/__tests__/rate.test.ts.
/// The reference tests compare to a relative 1e-4 (pytest.approx) or exactly (toStrictEqual); we use 1e-9 absolute.
/// </summary>
public sealed class ReferenceVectorTests
{
    private const double Tolerance = 1e-9;

    private static readonly PlayerRating Default = new(25.0, 25.0 / 3.0);

    // ---- openskill.py, tests/models/data/plackettluce.json ----
    private static RatingModel PythonPlackettLuce(bool limitSigma = false) => new(new RatingOptions
    {
        Mu = 22.350299400541857,
        Sigma = 4.177118726502424,
        Tau = 25.0 / 300.0,
        LimitSigma = limitSigma,
    });

    [Fact]
    public void PlackettLuce_PythonNormal_MatchesReference()
    {
        var model = PythonPlackettLuce();
        var r = model.NewPlayer();
        var result = model.Rate([[r], [r, r]]);
        AssertTeams(result,
            [(24.064467826765515, 4.163571386191661)],
            [(20.6361309743182, 4.15760104967308), (20.6361309743182, 4.15760104967308)]);
    }

    [Fact]
    public void PlackettLuce_PythonRanks_MatchesReference()
    {
        var model = PythonPlackettLuce();
        var r = model.NewPlayer();
        var result = model.Rate([[r], [r, r]], [2, 1]);
        AssertTeams(result,
            [(22.19401288690994, 4.163571386191661)],
            [(22.506585914173776, 4.15760104967308), (22.506585914173776, 4.15760104967308)]);
    }

    [Fact]
    public void PlackettLuce_PythonThreeTeamsLimitSigma_MatchesReference()
    {
        var model = PythonPlackettLuce(limitSigma: true);
        var r = model.NewPlayer();
        var result = model.Rate([[r], [r, r], [r, r, r]], [2, 1, 3]);
        AssertTeams(result,
            [(23.673188433055675, 4.174097005234212)],
            [(23.54860097168954, 4.164693649388653), (23.54860097168954, 4.164693649388653)],
            [(19.829108796880355, 4.155899775058227), (19.829108796880355, 4.155899775058227), (19.829108796880355, 4.155899775058227)]);
    }

    [Fact]
    public void PlackettLuce_PythonTies_MatchesReference()
    {
        var model = PythonPlackettLuce();
        var r = model.NewPlayer();
        var result = model.Rate([[r], [r, r], [r, r, r]], [1, 2, 1]);
        AssertTeams(result,
            [(23.01442322005181, 4.176165477042022)],
            [(22.154697318038096, 4.164693649388653), (22.154697318038096, 4.164693649388653)],
            [(21.88177766353566, 4.159497495039252), (21.88177766353566, 4.159497495039252), (21.88177766353566, 4.159497495039252)]);
    }

    // ---- openskill.py, tests/models/data/bradleyterryfull.json ----
    private static RatingModel PythonBradleyTerry(bool limitSigma = false) => new(new RatingOptions
    {
        Algorithm = RatingAlgorithm.BradleyTerryFull,
        Mu = 19.19146824402752,
        Sigma = 4.841562282244662,
        Tau = 25.0 / 300.0,
        LimitSigma = limitSigma,
    });

    [Fact]
    public void BradleyTerryFull_PythonNormal_MatchesReference()
    {
        var model = PythonBradleyTerry();
        var r = model.NewPlayer();
        AssertTeams(model.Rate([[r], [r, r]]),
            [(21.17414494871607, 4.812703566316669)],
            [(17.208791539338968, 4.8003994845583104), (17.208791539338968, 4.8003994845583104)]);
    }

    [Fact]
    public void BradleyTerryFull_PythonRanks_MatchesReference()
    {
        var model = PythonBradleyTerry();
        var r = model.NewPlayer();
        AssertTeams(model.Rate([[r], [r, r]], [2, 1]),
            [(18.886597146623906, 4.812703566316669)],
            [(19.49633934143113, 4.8003994845583104), (19.49633934143113, 4.8003994845583104)]);
    }

    [Fact]
    public void BradleyTerryFull_PythonThreeTeamsLimitSigma_MatchesReference()
    {
        var model = PythonBradleyTerry(limitSigma: true);
        var r = model.NewPlayer();
        AssertTeams(model.Rate([[r], [r, r], [r, r, r]], [2, 1, 3]),
            [(20.887237170997047, 4.8066873894819535)],
            [(21.067284664657013, 4.770202946586814), (21.067284664657013, 4.770202946586814)],
            [(15.619882896428496, 4.795151977899489), (15.619882896428496, 4.795151977899489), (15.619882896428496, 4.795151977899489)]);
    }

    [Fact]
    public void BradleyTerryFull_PythonTies_MatchesReference()
    {
        var model = PythonBradleyTerry();
        var r = model.NewPlayer();
        AssertTeams(model.Rate([[r], [r, r], [r, r, r]], [1, 2, 1]),
            [(22.140604509774274, 4.8066873894819535)],
            [(16.87763298638101, 4.770202946586814), (16.87763298638101, 4.770202946586814)],
            [(18.556167235927273, 4.795151977899489), (18.556167235927273, 4.795151977899489), (18.556167235927273, 4.795151977899489)]);
    }

    // ---- openskill.js, src/models/__tests__/plackett-luce.test.ts (defaults, τ 0) ----
    [Fact]
    public void PlackettLuce_JsOneVersusOne_MatchesReference()
    {
        AssertTeams(new RatingModel().Rate([[Default], [Default]]),
            [(27.63523138347365, 8.065506316323548)],
            [(22.36476861652635, 8.065506316323548)]);
    }

    [Fact]
    public void PlackettLuce_JsThreePlayerFreeForAll_MatchesReference()
    {
        AssertTeams(new RatingModel().Rate([[Default], [Default], [Default]]),
            [(27.868876552746237, 8.204837030780652)],
            [(25.717219138186557, 8.057829747583874)],
            [(21.413904309067206, 8.057829747583874)]);
    }

    [Fact]
    public void PlackettLuce_JsFourPlayerFreeForAll_MatchesReference()
    {
        AssertTeams(new RatingModel().Rate([[Default], [Default], [Default], [Default]]),
            [(27.795084971874736, 8.263160757613477)],
            [(26.552824984374855, 8.179213704945203)],
            [(24.68943500312503, 8.083731307186588)],
            [(20.96265504062538, 8.083731307186588)]);
    }

    [Fact]
    public void PlackettLuce_JsFivePlayerFreeForAll_MatchesReference()
    {
        AssertTeams(new RatingModel().Rate([[Default], [Default], [Default], [Default], [Default]]),
            [(27.666666666666668, 8.290556877154474)],
            [(26.833333333333332, 8.240145629781066)],
            [(25.72222222222222, 8.179996679645559)],
            [(24.055555555555557, 8.111796013701358)],
            [(20.72222222222222, 8.111796013701358)]);
    }

    [Fact]
    public void PlackettLuce_JsThreeUnevenTeams_MatchesReference()
    {
        var d = Default;
        AssertTeams(new RatingModel().Rate([[d, d, d], [d], [d, d]]),
            [(25.939870821784513, 8.247641552260456), (25.939870821784513, 8.247641552260456), (25.939870821784513, 8.247641552260456)],
            [(27.21366020491262, 8.274321317985242)],
            [(21.84646897330287, 8.213058173195341), (21.84646897330287, 8.213058173195341)]);
    }

    [Fact]
    public void PlackettLuce_JsTwoPlayerTieEqualRatings_MuUnchanged()
    {
        var result = new RatingModel().Rate([[Default], [Default]], [1, 1]);
        Assert.Equal(25.0, result[0][0].Mu, Tolerance);
        Assert.Equal(25.0, result[1][0].Mu, Tolerance);
    }

    // ---- openskill.js, src/__tests__/rate.test.ts ----
    private static readonly PlayerRating A1 = new(29.182, 4.782);
    private static readonly PlayerRating B1 = new(27.174, 4.922);
    private static readonly PlayerRating C1 = new(16.672, 6.217);

    // openskill.js's top-level rate() applies its default τ of 25/300 (src/constants.ts); the model functions above do not.
    [Fact]
    public void PlackettLuce_JsFourMixedPlayersDefaultTau_MatchesReference()
    {
        AssertTeams(new RatingModel(new RatingOptions { Tau = 25.0 / 300.0 }).Rate([[A1], [B1], [C1], [Default]]),
            [(30.210227447000438, 4.765617924939384)],
            [(27.644725221915632, 4.883479590134575)],
            [(17.4036218889969, 6.101259408259549)],
            [(19.21460876538932, 7.854669920480409)]);
    }

    [Fact]
    public void PlackettLuce_JsFourMixedPlayersWithTau_MatchesReference()
    {
        AssertTeams(new RatingModel(new RatingOptions { Tau = 0.01 }).Rate([[A1], [B1], [C1], [Default]]),
            [(30.20997558824299, 4.764909330988368)],
            [(27.64461002009721, 4.882799245921361)],
            [(17.403587237635527, 6.100731158882956)],
            [(19.21478808745494, 7.854267281042293)]);
    }

    [Fact]
    public void PlackettLuce_JsTauWithLimitSigma_MatchesReference()
    {
        var model = new RatingModel(new RatingOptions { Tau = 0.01, LimitSigma = true });
        AssertTeams(model.Rate([[new PlayerRating(6.672, 0.0001)], [A1]]),
            [(6.672012533190158, 0.0001)],
            [(26.316243774876106, 4.7540633621019)]);
    }

    // ---- openskill.js, src/models/__tests__/bradley-terry-full.test.ts (defaults, τ 0) ----
    private static readonly RatingModel JsBradleyTerry = new(new RatingOptions { Algorithm = RatingAlgorithm.BradleyTerryFull });

    [Fact]
    public void BradleyTerryFull_JsOneVersusOne_MatchesReference()
    {
        AssertTeams(JsBradleyTerry.Rate([[Default], [Default]]),
            [(27.63523138347365, 8.065506316323548)],
            [(22.36476861652635, 8.065506316323548)]);
    }

    [Fact]
    public void BradleyTerryFull_JsFivePlayerFreeForAll_MatchesReference()
    {
        AssertTeams(JsBradleyTerry.Rate([[Default], [Default], [Default], [Default], [Default]]),
            [(35.5409255338946, 7.202515895247076)],
            [(30.2704627669473, 7.202515895247076)],
            [(25.0, 7.202515895247076)],
            [(19.729537233052703, 7.202515895247076)],
            [(14.4590744661054, 7.202515895247076)]);
    }

    [Fact]
    public void BradleyTerryFull_JsThreeUnevenTeams_MatchesReference()
    {
        var d = Default;
        AssertTeams(JsBradleyTerry.Rate([[d, d, d], [d], [d, d]]),
            [(25.992743915179297, 8.19709997489984), (25.992743915179297, 8.19709997489984), (25.992743915179297, 8.19709997489984)],
            [(28.48909130001799, 8.220848339985736)],
            [(20.518164784802714, 8.127515465304823), (20.518164784802714, 8.127515465304823)]);
    }

    private static void AssertTeams(PlayerRating[][] actual, params (double Mu, double Sigma)[][] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var t = 0; t < expected.Length; t++)
        {
            Assert.Equal(expected[t].Length, actual[t].Length);
            for (var p = 0; p < expected[t].Length; p++)
            {
                Assert.True(Math.Abs(expected[t][p].Mu - actual[t][p].Mu) <= Tolerance, $"team {t} player {p}: mu {actual[t][p].Mu}, expected {expected[t][p].Mu}");
                Assert.True(Math.Abs(expected[t][p].Sigma - actual[t][p].Sigma) <= Tolerance, $"team {t} player {p}: sigma {actual[t][p].Sigma}, expected {expected[t][p].Sigma}");
            }
        }
    }
}
