using MetaServer.Hosting;
using MetaServer.Matches.Leaderboards;
using MetaServer.Matches.Storage;
using MetaServer.Pipelines;
using MetaServer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Leaderboards;

public sealed class MatchResultsRegistrationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddEmbeddedStorage(builder.Configuration);
        builder.Services.AddSingleton<IMatchStore>(sp => new InMemoryMatchStore(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddMatchResults(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public void AddMatchResults_Defaults_RegistersBothHandlersMonthlySeasonsAndHonestFriendSource()
    {
        using var host = Build([]);

        Assert.Equal(
            ["matches.game-server-report", "matches.get-leaderboard"],
            host.Services.GetServices<IMessageHandler>().Select(h => h.MessageType).Order());
        Assert.Equal(SeasonLength.Monthly, host.Services.GetRequiredService<LeaderboardSeasons>().Length);
        Assert.IsType<NoFriendListSource>(host.Services.GetRequiredService<IFriendListSource>());
    }

    [Theory]
    [InlineData("MetaServer:Matches:Leaderboards:Season", "Yearly")]
    [InlineData("MetaServer:Matches:Leaderboards:ReadablePastSeasons", "99")]
    [InlineData("MetaServer:Matches:Results:RecentMatchIds", "1")]
    [InlineData("MetaServer:Matches:Rating:Sigma", "-1")]
    public async Task AddMatchResults_BadSetting_FailsAtStart(string key, string value)
    {
        using var host = Build(new() { [key] = value });

        await Assert.ThrowsAnyAsync<Exception>(async () => await host.StartAsync());
    }

    [Fact]
    public void AddMatchResults_WeeklySetting_Bound()
    {
        using var host = Build(new()
        {
            ["MetaServer:Matches:Leaderboards:Season"] = "Weekly",
            ["MetaServer:Matches:Leaderboards:SeasonAnchor"] = "2026-01-04T00:00:00Z",
        });

        var options = host.Services.GetRequiredService<IOptions<LeaderboardOptions>>().Value;
        Assert.Equal(SeasonLength.Weekly, options.Season);
        Assert.Equal("2026-11-22", host.Services.GetRequiredService<LeaderboardSeasons>().At(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero)).Id);
    }
}
