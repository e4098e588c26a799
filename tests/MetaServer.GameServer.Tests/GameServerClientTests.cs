using MetaServer.GameServer.Sdk;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Testing;

namespace MetaServer.GameServer.Tests;

public sealed class GameServerClientTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private readonly HandOffHarness _harness;

    public GameServerClientTests() => _harness = new HandOffHarness(new EmbeddedTransport(_time), _time);

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TryAcceptMatchAsync_PlacementAndMatch_ReturnsMatchAndDeletesBoth()
    {
        var match = _harness.TeamMatch("m1");
        await _harness.HandOffAsync(match);

        await using var session = await _harness.NewClient().TryAcceptMatchAsync(CancellationToken.None).WithTimeout("accept");

        Assert.NotNull(session);
        Assert.Equal(match, session.Match);
        Assert.Equal("m1", session.MatchId);
        Assert.Equal(_harness.Names.ForMatch("m1"), session.MatchQueue);
        Assert.Equal(new QueueCounts(0, 0), await _harness.Transport.GetQueueCountsAsync(_harness.PlacementQueue));
        Assert.Equal(new QueueCounts(0, 0), await _harness.Transport.GetQueueCountsAsync(session.MatchQueue));
    }

    [Fact]
    public async Task TryAcceptMatchAsync_NoPlacement_ReturnsNull()
    {
        var session = await _harness.NewClient().TryAcceptMatchAsync(CancellationToken.None).WithTimeout("accept");

        Assert.Null(session);
    }

    [Fact]
    public async Task ReportStartedAndResultAsync_ValidMatch_PostsReportEnvelopesToResultsQueue()
    {
        await _harness.HandOffAsync(_harness.TeamMatch("m1"));
        var session = (await _harness.NewClient("gs-7").TryAcceptMatchAsync(CancellationToken.None).WithTimeout("accept"))!;

        await session.ReportStartedAsync(CancellationToken.None);
        var (startedEnvelope, started) = await _harness.ReadReportAsync("started report");
        _time.Advance(TimeSpan.FromMinutes(5));
        var result = new MatchResult(
            [new TeamRank("red", 1), new TeamRank("blue", 2)],
            [
                new PlayerResult("alice", new Dictionary<string, long> { ["kills"] = 7, ["damage"] = 900 }),
                new PlayerResult("bot-red-1", new Dictionary<string, long> { ["kills"] = 2 }),
                new PlayerResult("bob", new Dictionary<string, long> { ["kills"] = 3 }, LeftEarly: true),
            ]);
        await session.ReportResultAsync(result, CancellationToken.None);
        var (resultEnvelope, reported) = await _harness.ReadReportAsync("result report");
        await session.DisposeAsync();

        Assert.Equal(MessageTypes.MatchesGameServerReport, startedEnvelope.MessageType);
        Assert.Equal("m1:started", startedEnvelope.MessageId);
        Assert.Equal(HandOffHarness.DeploymentVersion, startedEnvelope.DeploymentVersion);
        Assert.Equal(GameServerReport.ReportOneofCase.Started, started.ReportCase);
        Assert.Equal("m1", started.MatchId);
        Assert.Equal("gs-7", started.GameServerId);
        Assert.Equal("127.0.0.1:7777", started.Started.GameServerAddress);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), started.Started.StartedAtUnixMs);

        Assert.Equal(MessageTypes.MatchesGameServerReport, resultEnvelope.MessageType);
        Assert.Equal("m1:result", resultEnvelope.MessageId);
        Assert.Equal(GameServerReport.ReportOneofCase.Result, reported.ReportCase);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), reported.Result.EndedAtUnixMs);
        Assert.Equal(["red:1", "blue:2"], reported.Result.Placements.Select(p => $"{p.Team}:{p.Rank}"));
        Assert.Equal(["alice", "bot-red-1", "bob"], reported.Result.Players.Select(p => p.PlayerId));
        Assert.Equal(900, reported.Result.Players[0].Stats["damage"]);
        Assert.True(reported.Result.Players[2].LeftEarly);
        Assert.True(session.StartedReported);
        Assert.True(session.ResultReported);
        Assert.False(await _harness.Transport.QueueExistsAsync(session.MatchQueue));
    }

    [Fact]
    public async Task ReportStartedAsync_Retried_SendsTheSameMessageId()
    {
        await _harness.HandOffAsync(_harness.TeamMatch("m1"));
        await using var session = (await _harness.NewClient().TryAcceptMatchAsync(CancellationToken.None).WithTimeout("accept"))!;

        await session.ReportStartedAsync(CancellationToken.None);
        await session.ReportStartedAsync(CancellationToken.None);
        var first = await _harness.ReadReportAsync("first started report");
        var second = await _harness.ReadReportAsync("second started report");

        Assert.Equal(first.Envelope.MessageId, second.Envelope.MessageId);
        Assert.Equal(GameServerReportIds.Started("m1"), first.Envelope.MessageId);
    }

    [Fact]
    public async Task OpenMatchAsync_NoMatchMessage_ThrowsTimeoutAndPlacementReturns()
    {
        await _harness.Transport.CreateQueueAsync(_harness.Names.ForMatch("m1"), new QueueSettings());
        await _harness.SendPlacementAsync("m1");
        var client = _harness.NewClient(matchTimeout: TimeSpan.FromSeconds(10));
        var placement = (await client.TryTakePlacementAsync(CancellationToken.None).WithTimeout("placement"))!;

        var open = client.OpenMatchAsync(placement, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<GameServerHandOffException>(() => open.WithTimeout("open"));
        await placement.DisposeAsync();
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(HandOffFailure.MatchMessageTimeout, error.Reason);
        Assert.Equal("m1", error.MatchId);
        Assert.False(placement.Deleted);
        Assert.Equal(1, (await _harness.Transport.GetQueueCountsAsync(_harness.PlacementQueue)).Visible);
    }

    [Fact]
    public async Task OpenMatchAsync_MatchForAnotherMatch_ThrowsWrongMatchId()
    {
        var matchQueue = _harness.Names.ForMatch("m1");
        await _harness.Transport.CreateQueueAsync(matchQueue, new QueueSettings());
        await _harness.SendEnvelopeAsync(matchQueue, MessageTypes.GameServerMatch, "x", _harness.TeamMatch("m2"));
        await _harness.SendPlacementAsync("m1");
        var client = _harness.NewClient();
        await using var placement = (await client.TryTakePlacementAsync(CancellationToken.None).WithTimeout("placement"))!;

        var error = await Assert.ThrowsAsync<GameServerHandOffException>(() => client.OpenMatchAsync(placement, CancellationToken.None).WithTimeout("open"));

        Assert.Equal(HandOffFailure.WrongMatchId, error.Reason);
        Assert.Contains("m2", error.Message, StringComparison.Ordinal);
        Assert.False(placement.Deleted);
    }

    [Fact]
    public async Task OpenMatchAsync_WrongMessageType_ThrowsWrongMessageType()
    {
        var matchQueue = _harness.Names.ForMatch("m1");
        await _harness.Transport.CreateQueueAsync(matchQueue, new QueueSettings());
        await _harness.SendEnvelopeAsync(matchQueue, MessageTypes.GameServerPlacement, "x", new GameServerPlacement { MatchId = "m1" });
        await _harness.SendPlacementAsync("m1");
        var client = _harness.NewClient();
        await using var placement = (await client.TryTakePlacementAsync(CancellationToken.None).WithTimeout("placement"))!;

        var error = await Assert.ThrowsAsync<GameServerHandOffException>(() => client.OpenMatchAsync(placement, CancellationToken.None).WithTimeout("open"));

        Assert.Equal(HandOffFailure.WrongMessageType, error.Reason);
        Assert.Contains(MessageTypes.GameServerMatch, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenMatchAsync_MatchQueueMissing_ThrowsAndDeletesPlacement()
    {
        await _harness.SendPlacementAsync("gone");
        var client = _harness.NewClient();
        await using var placement = (await client.TryTakePlacementAsync(CancellationToken.None).WithTimeout("placement"))!;

        var error = await Assert.ThrowsAsync<GameServerHandOffException>(() => client.OpenMatchAsync(placement, CancellationToken.None).WithTimeout("open"));

        Assert.Equal(HandOffFailure.MatchQueueMissing, error.Reason);
        Assert.True(placement.Deleted);
        Assert.Equal(new QueueCounts(0, 0), await _harness.Transport.GetQueueCountsAsync(_harness.PlacementQueue));
    }

    [Fact]
    public async Task TryTakePlacementAsync_NotAPlacement_ThrowsAndDeletesIt()
    {
        await _harness.SendEnvelopeAsync(_harness.PlacementQueue, MessageTypes.GameServerMatch, "odd", _harness.TeamMatch("m1"));

        var error = await Assert.ThrowsAsync<GameServerHandOffException>(() => _harness.NewClient().TryTakePlacementAsync(CancellationToken.None).WithTimeout("placement"));

        Assert.Equal(HandOffFailure.MalformedPlacement, error.Reason);
        Assert.Equal(new QueueCounts(0, 0), await _harness.Transport.GetQueueCountsAsync(_harness.PlacementQueue));
    }

    [Fact]
    public async Task TryTakePlacementAsync_WhilePreparing_PlacementStaysHiddenUntilDisposed()
    {
        await _harness.SendPlacementAsync("m1");
        var placement = (await _harness.NewClient("gs-1").TryTakePlacementAsync(CancellationToken.None).WithTimeout("placement"))!;

        _time.Advance(TimeSpan.FromSeconds(50));
        var other = await _harness.NewClient("gs-2").TryTakePlacementAsync(CancellationToken.None).WithTimeout("second take");
        await placement.DisposeAsync();
        _time.Advance(TimeSpan.FromSeconds(30));
        var retaken = await _harness.NewClient("gs-2").TryTakePlacementAsync(CancellationToken.None).WithTimeout("retake");

        Assert.Null(other);
        Assert.NotNull(retaken);
        Assert.Equal("m1", retaken.MatchId);
        Assert.Equal(2, retaken.ReceiveCount);
        await retaken.DisposeAsync();
    }

    public static TheoryData<string, MatchResult> InvalidResults => new()
    {
        { "team 'blue' is not placed", new MatchResult([new TeamRank("red", 1)], []) },
        { "placed more than once", new MatchResult([new TeamRank("red", 1), new TeamRank("red", 2), new TeamRank("blue", 2)], []) },
        { "ranks start at 1", new MatchResult([new TeamRank("red", 0), new TeamRank("blue", 1)], []) },
        { "team 'green' is not a team of the match", new MatchResult([new TeamRank("red", 1), new TeamRank("blue", 2), new TeamRank("green", 3)], []) },
        { "player 'mallory' is not in the match", new MatchResult([new TeamRank("red", 1), new TeamRank("blue", 1)], [new PlayerResult("mallory", new Dictionary<string, long>())]) },
        { "reported more than once", new MatchResult([new TeamRank("red", 1), new TeamRank("blue", 1)], [new PlayerResult("bob", new Dictionary<string, long>()), new PlayerResult("bob", new Dictionary<string, long>())]) },
        { "negative stat 'kills'", new MatchResult([new TeamRank("red", 1), new TeamRank("blue", 1)], [new PlayerResult("bob", new Dictionary<string, long> { ["kills"] = -1 })]) },
    };

    [Theory]
    [MemberData(nameof(InvalidResults))]
    public async Task ReportResultAsync_InvalidResult_ThrowsAndSendsNothing(string problem, MatchResult result)
    {
        await _harness.HandOffAsync(_harness.TeamMatch("m1"));
        await using var session = (await _harness.NewClient().TryAcceptMatchAsync(CancellationToken.None).WithTimeout("accept"))!;

        var error = await Assert.ThrowsAsync<MatchResultValidationException>(() => session.ReportResultAsync(result, CancellationToken.None));

        Assert.Contains(error.Problems, p => p.Contains(problem, StringComparison.Ordinal));
        Assert.False(session.ResultReported);
        Assert.Equal(new QueueCounts(0, 0), await _harness.Transport.GetQueueCountsAsync(_harness.ResultsQueue));
    }

    [Fact]
    public async Task ReportResultAsync_DrawWithBotStats_IsAccepted()
    {
        await _harness.HandOffAsync(_harness.TeamMatch("m1"));
        await using var session = (await _harness.NewClient().TryAcceptMatchAsync(CancellationToken.None).WithTimeout("accept"))!;

        await session.ReportResultAsync(
            new MatchResult([new TeamRank("red", 1), new TeamRank("blue", 1)], [new PlayerResult("bot-red-1", new Dictionary<string, long> { ["kills"] = 4 })]),
            CancellationToken.None);
        var (_, report) = await _harness.ReadReportAsync("result report");

        Assert.All(report.Result.Placements, p => Assert.Equal(1, p.Rank));
        Assert.Equal("bot-red-1", Assert.Single(report.Result.Players).PlayerId);
    }
}
