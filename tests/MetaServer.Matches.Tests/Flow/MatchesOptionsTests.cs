using MetaServer.Matches.Service;
using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matches.Tests.Flow;

public sealed class MatchesOptionsTests
{
    [Fact]
    public void Check_UnknownModeMissingConfigurationNoMaps_EveryProblemListed()
    {
        var options = new MatchesOptions { MaxMatchDuration = TimeSpan.Zero };
        options.GameModes["tag"] = new GameModeMatchmakingOptions { Configuration = "tdm" };
        options.GameModes["duel"] = new GameModeMatchmakingOptions { Configuration = "nope" };
        options.GameModes["duel"].Maps.Add("arena");
        options.GameModes["domination"] = new GameModeMatchmakingOptions();
        var catalog = new MatchmakingCatalog(new Dictionary<string, MatchmakingDefinition>());

        var problems = MatchesOptionsValidator.Check(options, FlowHarness.Config, catalog);

        Assert.Contains(problems, p => p.Contains("MaxMatchDuration", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GameModes:tag: 'tag' is not a game mode", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GameModes:duel:Configuration: 'nope'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GameModes:domination:Configuration: is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GameModes:domination:Maps", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("duel:Maps", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_BadOptions_ThrowsOnFirstUse()
    {
        using var harness = new FlowHarness(s => s["MetaServer:Matches:GameModes:team-deathmatch:Configuration"] = "missing");

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => harness.Options.Value);

        Assert.Contains("'missing' is not a matchmaking configuration", ex.Message, StringComparison.Ordinal);
    }
}
