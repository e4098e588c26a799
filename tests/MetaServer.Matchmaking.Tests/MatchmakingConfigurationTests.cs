using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Tests;

public sealed class MatchmakingConfigurationTests
{
    private static MatchmakingConfiguration? Create(
        out IReadOnlyList<string> problems,
        string name = "ranked-5v5",
        bool acceptanceRequired = true,
        int? acceptanceTimeoutSeconds = 30,
        int requestTimeoutSeconds = 120,
        string? backfillMode = null,
        int additionalPlayerCount = 0,
        string? customEventData = null,
        IEnumerable<GameProperty>? gameProperties = null) =>
        MatchmakingConfiguration.Create(name, "team-5v5-skill", acceptanceRequired, acceptanceTimeoutSeconds, requestTimeoutSeconds,
            backfillMode, additionalPlayerCount, customEventData, gameProperties, out problems);

    [Fact]
    public void Create_ValidValues_KeepsThem()
    {
        var configuration = Create(out var problems, backfillMode: "MANUAL", customEventData: "season-4",
            gameProperties: [new GameProperty("map", "harbor")]);

        Assert.Empty(problems);
        Assert.NotNull(configuration);
        Assert.Equal("ranked-5v5", configuration.Name);
        Assert.Equal("team-5v5-skill", configuration.RuleSetName);
        Assert.True(configuration.AcceptanceRequired);
        Assert.Equal(30, configuration.AcceptanceTimeoutSeconds);
        Assert.Equal(120, configuration.RequestTimeoutSeconds);
        Assert.Equal(BackfillMode.Manual, configuration.BackfillMode);
        Assert.Equal("season-4", configuration.CustomEventData);
        Assert.Equal(new GameProperty("map", "harbor"), Assert.Single(configuration.GameProperties));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("OFF")]
    public void Create_NoBackfillMode_IsOff(string? mode)
    {
        var configuration = Create(out _, backfillMode: mode);

        Assert.Equal(BackfillMode.Off, configuration!.BackfillMode);
    }

    [Fact]
    public void Create_AutomaticBackfill_IsRejectedAsUnsupported()
    {
        var configuration = Create(out var problems, backfillMode: "AUTOMATIC");

        Assert.Null(configuration);
        Assert.Contains("BackfillMode: AUTOMATIC is not supported", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "AcceptanceTimeoutSeconds: must be between 1 and 600, found 0")]
    [InlineData(601, "AcceptanceTimeoutSeconds: must be between 1 and 600, found 601")]
    [InlineData(null, "AcceptanceTimeoutSeconds: is required when AcceptanceRequired is true")]
    public void Create_BadAcceptanceTimeout_IsRejected(int? seconds, string expected)
    {
        Assert.Null(Create(out var problems, acceptanceTimeoutSeconds: seconds));

        Assert.Equal(expected, Assert.Single(problems));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(43201)]
    public void Create_RequestTimeoutOutOfRange_IsRejected(int seconds)
    {
        Assert.Null(Create(out var problems, requestTimeoutSeconds: seconds));

        Assert.Equal($"RequestTimeoutSeconds: must be between 1 and 43200, found {seconds}", Assert.Single(problems));
    }

    [Fact]
    public void Create_AcceptanceNotRequired_DropsTheTimeout()
    {
        var configuration = Create(out _, acceptanceRequired: false, acceptanceTimeoutSeconds: 30);

        Assert.Null(configuration!.AcceptanceTimeoutSeconds);
    }

    [Fact]
    public void Create_SeveralBadValues_ReportsEach()
    {
        var configuration = Create(out var problems, name: "bad name!", additionalPlayerCount: -1,
            customEventData: new string('x', 257), gameProperties: Enumerable.Range(0, 17).Select(i => new GameProperty($"k{i}", "v")));

        Assert.Null(configuration);
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Name 'bad name!'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("AdditionalPlayerCount", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("CustomEventData", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("GameProperties", StringComparison.Ordinal));
    }
}
