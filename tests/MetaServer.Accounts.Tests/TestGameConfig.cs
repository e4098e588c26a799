using MetaServer.GameConfig;

namespace MetaServer.Accounts.Tests;

/// <summary>The tests' own small game config (Fixtures/test-game-config.json), independent of the bundled sample.</summary>
internal static class TestGameConfig
{
    private static readonly Lazy<GameConfig.GameConfig> Loaded = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "test-game-config.json");
        var result = GameConfigLoader.Load(path);
        return result.Config ?? throw new InvalidOperationException(
            "The test game config is invalid: " + string.Join("; ", result.Problems.Select(p => p.ToString())));
    });

    public static GameConfig.GameConfig Instance => Loaded.Value;
}
