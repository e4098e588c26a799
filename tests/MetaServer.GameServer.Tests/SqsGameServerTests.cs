using Amazon.Runtime;
using MetaServer.Messaging.Sqs;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.GameServer.Tests;

/// <summary>The SDK over the SQS transport, against the fauxqs stand-in.</summary>
public sealed class SqsGameServerTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private StandIn? _sqs;

    public async Task InitializeAsync() => _sqs = await StandIn.StartSqsAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_sqs is not null)
        {
            await _sqs.DisposeAsync();
        }
    }

    [Fact]
    public async Task HandOffAndReports_OnSqs_ReachTheResultsQueue()
    {
        var options = new SqsOptions
        {
            ServiceUrl = _sqs!.HttpEndpoint.ToString(),
            Region = "us-east-1",
            AccessKey = "test",
            SecretKey = "test",
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        };
        var client = new SqsClient(_http, options, TimeProvider.System, NullLogger<SqsClient>.Instance, new BasicAWSCredentials("test", "test"));
        await using var transport = new SqsTransport(client, options, TimeProvider.System, NullLogger<SqsTransport>.Instance);
        var harness = new HandOffHarness(transport, TimeProvider.System);
        await harness.InitializeAsync();
        var match = harness.TeamMatch("sqs-m1");
        await harness.HandOffAsync(match);

        var gameServer = harness.NewClient("gs-sqs");
        var session = await gameServer.TryAcceptMatchAsync(CancellationToken.None).WithTimeout("accept");
        Assert.NotNull(session);
        await session.ReportStartedAsync(CancellationToken.None);
        var (startedEnvelope, started) = await harness.ReadReportAsync("started report");
        await session.ReportResultAsync(
            new Sdk.MatchResult([new Sdk.TeamRank("red", 2), new Sdk.TeamRank("blue", 1)], [new Sdk.PlayerResult("carol", new Dictionary<string, long> { ["kills"] = 11 })]),
            CancellationToken.None);
        var (resultEnvelope, result) = await harness.ReadReportAsync("result report");
        await session.DisposeAsync();

        Assert.Equal(match, session.Match);
        Assert.Equal("sqs-m1:started", startedEnvelope.MessageId);
        Assert.Equal(GameServerReport.ReportOneofCase.Started, started.ReportCase);
        Assert.Equal("sqs-m1:result", resultEnvelope.MessageId);
        Assert.Equal("blue", result.Result.Placements.Single(p => p.Rank == 1).Team);
        Assert.Equal(11, result.Result.Players.Single().Stats["kills"]);
        Assert.False(await transport.QueueExistsAsync(harness.Names.ForMatch("sqs-m1")));
        Assert.Equal(0, (await transport.GetQueueCountsAsync(harness.PlacementQueue)).Visible);
    }
}
