using MetaServer.Matchmaking.RuleSets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.Tests;

public sealed class HostingTests : IDisposable
{
    private const string Prefix = "MetaServer:Matchmaking:Configurations:";
    private readonly string _directory = Directory.CreateTempSubdirectory("metaserver-matchmaking-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddMatchmakingRuleSets_ValidConfigurations_StartsWithEveryDefinition()
    {
        File.Copy(SampleRuleSetTests.SamplePath("team-5v5-skill.json"), Path.Combine(_directory, "team.json"));
        using var host = BuildHost(new()
        {
            [Prefix + "ranked-5v5:RuleSetPath"] = "team.json",
            [Prefix + "ranked-5v5:AcceptanceRequired"] = "true",
            [Prefix + "ranked-5v5:AcceptanceTimeoutSeconds"] = "20",
            [Prefix + "ranked-5v5:BackfillMode"] = "MANUAL",
            [Prefix + "ranked-5v5:GameProperties:map"] = "harbor",
            [Prefix + "duel:RuleSetPath"] = SampleRuleSetTests.SamplePath("ranked-1v1.json"),
            [Prefix + "duel:RequestTimeoutSeconds"] = "60",
        });

        await host.StartAsync(CancellationToken.None);
        var catalog = host.Services.GetRequiredService<MatchmakingCatalog>();
        await host.StopAsync(CancellationToken.None);

        Assert.Equal(["duel", "ranked-5v5"], catalog.Definitions.Keys.Order(StringComparer.Ordinal));
        var team = catalog.Find("ranked-5v5")!;
        Assert.Equal("team-5v5-skill", team.Configuration.RuleSetName);
        Assert.Equal(20, team.Configuration.AcceptanceTimeoutSeconds);
        Assert.Equal(BackfillMode.Manual, team.Configuration.BackfillMode);
        Assert.Equal(new GameProperty("map", "harbor"), Assert.Single(team.Configuration.GameProperties));
        Assert.Equal(10, team.RuleSet.MaxPlayers);
        var duel = catalog.Find("duel")!;
        Assert.Equal(60, duel.Configuration.RequestTimeoutSeconds);
        Assert.False(duel.Configuration.AcceptanceRequired);
        Assert.Equal(BackfillMode.Off, duel.Configuration.BackfillMode);
    }

    [Fact]
    public async Task AddMatchmakingRuleSets_BadRuleSetFile_HostRefusesToStartNamingRuleAndField()
    {
        var text = (await File.ReadAllTextAsync(SampleRuleSetTests.SamplePath("team-5v5-skill.json"), CancellationToken.None))
            .Replace("\"maxDistance\": 100", "\"maxDistance\": -100", StringComparison.Ordinal);
        var path = Path.Combine(_directory, "bad.json");
        await File.WriteAllTextAsync(path, text, CancellationToken.None);
        using var host = BuildHost(new() { [Prefix + "ranked-5v5:RuleSetPath"] = path });

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

        var failure = Assert.Single(exception.Failures);
        Assert.Contains($"{Prefix}ranked-5v5:RuleSetPath: {path}: rule 'SkillDistance' field 'maxDistance' ($.rules[1].maxDistance): must be a number ≥ 0",
            failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMatchmakingRuleSets_MissingFileAndAutomaticBackfill_HostRefusesToStartWithBoth()
    {
        var path = Path.Combine(_directory, "missing.json");
        using var host = BuildHost(new()
        {
            [Prefix + "ranked-5v5:RuleSetPath"] = path,
            [Prefix + "ranked-5v5:BackfillMode"] = "AUTOMATIC",
        });

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

        Assert.Equal(2, exception.Failures.Count());
        Assert.Contains(exception.Failures, f => f.Contains($"the rule set file '{path}' cannot be read", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, f => f.Contains("BackfillMode: AUTOMATIC is not supported", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddMatchmakingRuleSets_NoRuleSetPath_HostRefusesToStart()
    {
        using var host = BuildHost(new() { [Prefix + "casual:AcceptanceRequired"] = "false" });

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

        Assert.Equal($"{Prefix}casual:RuleSetPath: is required", Assert.Single(exception.Failures));
    }

    private IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMatchmakingRuleSets(builder.Configuration);
        return builder.Build();
    }
}
