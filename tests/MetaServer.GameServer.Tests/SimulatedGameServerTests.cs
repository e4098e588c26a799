using MetaServer.GameConfig;
using MetaServer.GameServer.Sample;
using MetaServer.GameServer.Sdk;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.GameServer.Tests;

public sealed class SimulatedGameServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _time = new();
    private readonly HandOffHarness _harness;
    private readonly SimulatedGameServer _server;

    public SimulatedGameServerTests()
    {
        _harness = new HandOffHarness(new EmbeddedTransport(_time), _time);
        _server = new SimulatedGameServer(
            _harness.Transport,
            Options.Create(new SimulatedGameServerOptions { Slots = 1, MatchDuration = Duration, Seed = 42, GameServerIdPrefix = "sim-test" }),
            Options.Create(new MetaServerOptions { DeploymentVersion = HandOffHarness.DeploymentVersion }),
            _time,
            NullLoggerFactory.Instance);
    }

    public async Task InitializeAsync()
    {
        await _harness.InitializeAsync();
        await _server.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Run_PlacementAndMatch_ReportsStartedThenResultAfterTheMatchDuration()
    {
        var match = _harness.TeamMatch("m1", "domination");
        await _harness.HandOffAsync(match);

        var (startedEnvelope, started) = await _harness.ReadReportAsync("started report");
        var startedAt = _time.GetUtcNow();
        _time.Advance(Duration);
        var (resultEnvelope, result) = await _harness.ReadReportAsync("result report");
        await _server.StopAsync(CancellationToken.None).WithTimeout("stop");

        Assert.Equal("m1:started", startedEnvelope.MessageId);
        Assert.Equal("sim-test-0", started.GameServerId);
        Assert.Equal(startedAt.ToUnixTimeMilliseconds(), started.Started.StartedAtUnixMs);
        Assert.Equal("m1:result", resultEnvelope.MessageId);
        Assert.Equal((startedAt + Duration).ToUnixTimeMilliseconds(), result.Result.EndedAtUnixMs);
        Assert.Equal(["blue", "red"], result.Result.Placements.Select(p => p.Team).Order());
        Assert.Equal(["alice", "bob", "bot-red-1", "carol"], result.Result.Players.Select(p => p.PlayerId).Order());
        Assert.All(result.Result.Players, p => Assert.Contains(QuestStats.ObjectivesCaptured, p.Stats.Keys));
        Assert.Equal(1, _server.MatchesCompleted);
        Assert.False(await _harness.Transport.QueueExistsAsync(_harness.Names.ForMatch("m1")));
    }

    [Fact]
    public async Task StopAsync_DuringMatch_FinishesTheMatchAndTakesNoNewPlacement()
    {
        await _harness.HandOffAsync(_harness.TeamMatch("m1"));
        await _harness.ReadReportAsync("started report");

        var stop = _server.StopAsync(CancellationToken.None);
        await _harness.HandOffAsync(_harness.TeamMatch("m2"));
        Assert.False(stop.IsCompleted);
        _time.Advance(Duration);
        var (_, result) = await _harness.ReadReportAsync("result report");
        await stop.WithTimeout("stop");

        Assert.Equal("m1", result.MatchId);
        Assert.Equal(GameServerReport.ReportOneofCase.Result, result.ReportCase);
        Assert.Equal(1, _server.MatchesCompleted);
        Assert.Equal(new QueueCounts(1, 0), await _harness.Transport.GetQueueCountsAsync(_harness.PlacementQueue));
        Assert.Equal(new QueueCounts(0, 0), await _harness.Transport.GetQueueCountsAsync(_harness.ResultsQueue));
    }

    [Fact]
    public async Task StopAsync_StopDeadlinePassed_AbandonsTheMatchWithoutResult()
    {
        await _harness.HandOffAsync(_harness.TeamMatch("m1"));
        await _harness.ReadReportAsync("started report");

        using var deadline = new CancellationTokenSource();
        await deadline.CancelAsync();
        await _server.StopAsync(deadline.Token).WithTimeout("stop");

        Assert.Equal(1, _server.MatchesAbandoned);
        Assert.Equal(0, _server.MatchesCompleted);
        Assert.Equal(new QueueCounts(0, 0), await _harness.Transport.GetQueueCountsAsync(_harness.ResultsQueue));
        Assert.False(await _harness.Transport.QueueExistsAsync(_harness.Names.ForMatch("m1")));
    }

    [Fact]
    public async Task StopAsync_Idle_StopsWithoutTakingPlacements()
    {
        await _server.StopAsync(CancellationToken.None).WithTimeout("stop");
        await _harness.HandOffAsync(_harness.TeamMatch("m1"));

        Assert.Equal(new QueueCounts(1, 0), await _harness.Transport.GetQueueCountsAsync(_harness.PlacementQueue));
        Assert.Equal(0, _server.MatchesCompleted + _server.MatchesAbandoned);
    }

    [Fact]
    public void Simulate_SameSeed_SameResult()
    {
        var match = _harness.TeamMatch("m1");
        var end = _time.GetUtcNow();

        var first = MatchSimulator.Simulate(match, new Random(7), 0.1, 0.1, end);
        var second = MatchSimulator.Simulate(match, new Random(7), 0.1, 0.1, end);

        Assert.Equal(first.Placements, second.Placements);
        Assert.Equal(first.Players.Select(p => (p.PlayerId, p.LeftEarly, string.Join(",", p.Stats.OrderBy(kv => kv.Key, StringComparer.Ordinal)))), second.Players.Select(p => (p.PlayerId, p.LeftEarly, string.Join(",", p.Stats.OrderBy(kv => kv.Key, StringComparer.Ordinal)))));
    }

    [Fact]
    public void Simulate_ManySeeds_TwoTeamsGetOneWinnerOrADrawWithValidQuestStats()
    {
        var match = _harness.TeamMatch("m1");
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        for (var seed = 0; seed < 200; seed++)
        {
            var result = MatchSimulator.Simulate(match, new Random(seed), 0.2, 0.05, _time.GetUtcNow());

            Assert.Empty(MatchResultValidator.Validate(match, result));
            var ranks = result.Placements.Select(p => p.Rank).Order().ToArray();
            Assert.True(ranks.SequenceEqual([1, 1]) || ranks.SequenceEqual([1, 2]), string.Join(",", ranks));
            outcomes.Add(ranks.SequenceEqual([1, 1]) ? "draw" : result.Placements.Single(p => p.Rank == 1).Team);
            Assert.All(result.Players, p => Assert.Subset(QuestStats.All.ToHashSet(), p.Stats.Keys.ToHashSet()));
            Assert.All(result.Players, p => Assert.DoesNotContain(QuestStats.ObjectivesCaptured, p.Stats.Keys));
            Assert.All(result.Players, p => Assert.True(p.Stats[QuestStats.Headshots] <= p.Stats[QuestStats.Kills]));
            Assert.DoesNotContain(result.Players, p => p.PlayerId.StartsWith("bot-", StringComparison.Ordinal) && p.LeftEarly);
        }

        Assert.Equal(["blue", "draw", "red"], outcomes.Order());
    }

    [Fact]
    public void Simulate_FreeForAll_RanksEveryTeamDistinctly()
    {
        var match = _harness.FreeForAllMatch("ffa", 8);

        var result = MatchSimulator.Simulate(match, new Random(3), 1.0, 0, _time.GetUtcNow());

        Assert.Empty(MatchResultValidator.Validate(match, result));
        Assert.Equal(Enumerable.Range(1, 8), result.Placements.Select(p => p.Rank).Order());
    }

    [Fact]
    public async Task AddSimulatedGameServers_InvalidOptions_FailsAtStartUp()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaServer:GameServers:Simulated:Slots"] = "0",
            ["MetaServer:GameServers:Simulated:MatchDuration"] = "00:00:00",
        });
        builder.Services.AddLogging().AddMetaServerCore(builder.Configuration).AddSimulatedGameServers(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains(nameof(SimulatedGameServerOptions.Slots), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains(nameof(SimulatedGameServerOptions.MatchDuration), StringComparison.Ordinal));
    }
}
