using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Matchmaking.GameLift.Tests;

/// <summary>Client-side checks of the API reference's constraints: a bad request never reaches the server.</summary>
public sealed class GameLiftRequestValidationTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private LoopbackGameLiftServer? _server;

    private LoopbackGameLiftServer Server => _server!;

    public async Task InitializeAsync() => _server = await LoopbackGameLiftServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }

    private GameLiftClient Client() => new(
        _http,
        new GameLiftOptions { ServiceUrl = Server.Endpoint.ToString(), Region = "eu-west-1" },
        TimeProvider.System,
        NullLogger<GameLiftClient>.Instance,
        new BasicAWSCredentials("a", "b"));

    private static Player[] Players(int count) =>
        Enumerable.Range(1, count).Select(i => new Player { PlayerId = $"player-{i}" }).ToArray();

    private static StartMatchmakingRequest Ticket(params Player[] players) =>
        new() { ConfigurationName = "ranked", Players = players };

    private async Task AssertRejected(Func<GameLiftClient, Task> call, string field)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => call(Client()));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task StartMatchmakingAsync_TenPlayers_IsSent()
    {
        Server.Enqueue(ScriptedResponse.Ok("""{"MatchmakingTicket":{"TicketId":"t","Status":"QUEUED"}}"""));

        await Client().StartMatchmakingAsync(Ticket(Players(10)));

        Assert.Single(Server.Requests);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public async Task StartMatchmakingAsync_PlayerCountOutsideOneToTen_IsRejected(int count) =>
        await AssertRejected(c => c.StartMatchmakingAsync(Ticket(Players(count))), "Players must hold 1 to 10 players");

    [Theory]
    [InlineData("ticket id with spaces")]
    [InlineData("ticket/slash")]
    public async Task StartMatchmakingAsync_TicketIdOutsidePattern_IsRejected(string ticketId) =>
        await AssertRejected(c => c.StartMatchmakingAsync(Ticket(Players(1)) with { TicketId = ticketId }), "TicketId");

    [Fact]
    public async Task StartMatchmakingAsync_TicketIdOver128Characters_IsRejected() =>
        await AssertRejected(c => c.StartMatchmakingAsync(Ticket(Players(1)) with { TicketId = new string('a', 129) }), "TicketId");

    [Fact]
    public async Task StartMatchmakingAsync_ConfigurationArn_IsAccepted()
    {
        await Client().StartMatchmakingAsync(Ticket(Players(1)) with { ConfigurationName = "arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/ranked-5v5" });

        Assert.Single(Server.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad name")]
    public async Task StartMatchmakingAsync_BadConfigurationName_IsRejected(string name) =>
        await AssertRejected(c => c.StartMatchmakingAsync(Ticket(Players(1)) with { ConfigurationName = name }), "ConfigurationName");

    [Fact]
    public async Task StartMatchmakingAsync_EmptyPlayerId_IsRejected() =>
        await AssertRejected(c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "" })), "Players[0].PlayerId");

    [Fact]
    public async Task StartMatchmakingAsync_AttributeWithTwoValues_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", PlayerAttributes = new Dictionary<string, AttributeValue> { ["skill"] = new() { S = "x", N = 1 } } })),
            "Players[0].PlayerAttributes[\"skill\"] must set exactly one of S, N, SL, SDM");

    [Fact]
    public async Task StartMatchmakingAsync_AttributeWithNoValue_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", PlayerAttributes = new Dictionary<string, AttributeValue> { ["skill"] = new() } })),
            "must set exactly one of S, N, SL, SDM (had 0)");

    [Fact]
    public async Task StartMatchmakingAsync_ElevenAttributes_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", PlayerAttributes = Enumerable.Range(0, 11).ToDictionary(i => $"a{i}", _ => AttributeValue.Number(1)) })),
            "PlayerAttributes may hold up to 10");

    [Fact]
    public async Task StartMatchmakingAsync_StringAttributeOver100Characters_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", PlayerAttributes = new Dictionary<string, AttributeValue> { ["mode"] = AttributeValue.String(new string('m', 101)) } })),
            "PlayerAttributes[\"mode\"].S");

    [Fact]
    public async Task StartMatchmakingAsync_StringListOver100Items_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", PlayerAttributes = new Dictionary<string, AttributeValue> { ["maps"] = AttributeValue.StringList(Enumerable.Range(0, 101).Select(i => $"m{i}").ToArray()) } })),
            "PlayerAttributes[\"maps\"].SL may hold up to 100");

    [Fact]
    public async Task StartMatchmakingAsync_StringDoubleMapOver10Entries_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", PlayerAttributes = new Dictionary<string, AttributeValue> { ["ratings"] = AttributeValue.StringDoubleMap(Enumerable.Range(0, 11).ToDictionary(i => $"k{i}", i => (double)i)) } })),
            "PlayerAttributes[\"ratings\"].SDM may hold up to 10");

    [Fact]
    public async Task StartMatchmakingAsync_NonFiniteNumber_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", PlayerAttributes = new Dictionary<string, AttributeValue> { ["skill"] = AttributeValue.Number(double.NaN) } })),
            "PlayerAttributes[\"skill\"].N");

    [Fact]
    public async Task StartMatchmakingAsync_LatencyBelowOneMillisecond_IsRejected() =>
        await AssertRejected(
            c => c.StartMatchmakingAsync(Ticket(new Player { PlayerId = "p", LatencyInMs = new Dictionary<string, int> { ["eu-west-1"] = 0 } })),
            "LatencyInMs[\"eu-west-1\"] must be at least 1");

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public async Task DescribeMatchmakingAsync_TicketIdCountOutsideOneToTen_IsRejected(int count) =>
        await AssertRejected(
            c => c.DescribeMatchmakingAsync(new DescribeMatchmakingRequest { TicketIds = Enumerable.Range(0, count).Select(i => $"t{i}").ToArray() }),
            "TicketIds must hold 1 to 10");

    [Fact]
    public async Task StopMatchmakingAsync_EmptyTicketId_IsRejected() =>
        await AssertRejected(c => c.StopMatchmakingAsync(new StopMatchmakingRequest { TicketId = "" }), "TicketId is required");

    [Fact]
    public async Task AcceptMatchAsync_NoPlayerIds_IsRejected() =>
        await AssertRejected(
            c => c.AcceptMatchAsync(new AcceptMatchRequest { TicketId = "t", PlayerIds = [], AcceptanceType = AcceptanceType.Accept }),
            "PlayerIds must name at least one player");

    [Fact]
    public async Task AcceptMatchAsync_UndefinedAcceptanceType_IsRejected() =>
        await AssertRejected(
            c => c.AcceptMatchAsync(new AcceptMatchRequest { TicketId = "t", PlayerIds = ["p"], AcceptanceType = (AcceptanceType)7 }),
            "AcceptanceType must be ACCEPT or REJECT");
}
