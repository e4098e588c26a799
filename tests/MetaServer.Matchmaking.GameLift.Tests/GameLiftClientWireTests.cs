using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using MetaServer.Aws;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Matchmaking.GameLift.Tests;

/// <summary>
/// Request shapes (as in the GameLift API reference), SigV4 signing, responses, retries and errors of
/// <see cref="GameLiftClient"/>, against a loopback server.
/// </summary>
public sealed partial class GameLiftClientWireTests : IAsyncLifetime
{
    private const string Region = "eu-west-1";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private readonly HttpClient _http = new();
    private LoopbackGameLiftServer? _server;

    private LoopbackGameLiftServer Server => _server!;

    public async Task InitializeAsync() => _server = await LoopbackGameLiftServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }

    private GameLiftClient Client(int maxRetries = 3, AWSCredentials? credentials = null) =>
        new(
            _http,
            new GameLiftOptions
            {
                ServiceUrl = Server.Endpoint.ToString(),
                Region = Region,
                MaxRetries = maxRetries,
                RetryBaseDelay = TimeSpan.FromMilliseconds(1),
                RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            },
            TimeProvider.System,
            NullLogger<GameLiftClient>.Instance,
            credentials ?? new BasicAWSCredentials("AKIDEXAMPLE", Secret));

    private static StartMatchmakingRequest TwoPlayerTicket() => new()
    {
        TicketId = "ticket-1.party-7",
        ConfigurationName = "ranked-5v5",
        Players =
        [
            new Player
            {
                PlayerId = "player-1",
                PlayerAttributes = new Dictionary<string, AttributeValue>
                {
                    ["skill"] = AttributeValue.Number(1520.5),
                    ["gameMode"] = AttributeValue.String("deathmatch"),
                    ["roles"] = AttributeValue.StringList("tank", "healer"),
                    ["mapRatings"] = AttributeValue.StringDoubleMap(new Dictionary<string, double> { ["dust"] = 4, ["harbor"] = 2.5 }),
                },
                LatencyInMs = new Dictionary<string, int> { ["eu-west-1"] = 23, ["us-east-1"] = 96 },
            },
            new Player { PlayerId = "player-2" },
        ],
    };

    private const string QueuedTicket = """
        {"MatchmakingTicket":{"TicketId":"ticket-1.party-7","ConfigurationName":"ranked-5v5",
         "ConfigurationArn":"arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/ranked-5v5",
         "Status":"QUEUED","StartTime":1700000000.123,
         "Players":[{"PlayerId":"player-1","PlayerAttributes":{"skill":{"N":1520.5}},"LatencyInMs":{"eu-west-1":23}},{"PlayerId":"player-2"}]}}
        """;

    [Fact]
    public async Task StartMatchmakingAsync_Request_HasGameLiftJsonProtocolShape()
    {
        Server.Enqueue(ScriptedResponse.Ok(QueuedTicket));

        await Client().StartMatchmakingAsync(TwoPlayerTicket());

        var request = Assert.Single(Server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("GameLift.StartMatchmaking", request.Header("x-amz-target"));
        Assert.Equal("application/x-amz-json-1.1", request.Header("content-type"));
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", request.Header("x-amz-date"));
        var match = AuthorizationPattern().Match(request.Header("authorization"));
        Assert.True(match.Success, request.Header("authorization"));
        Assert.Equal("AKIDEXAMPLE", match.Groups["key"].Value);
        Assert.Equal($"{request.Header("x-amz-date")[..8]}/{Region}/gamelift/aws4_request", match.Groups["scope"].Value);
        Assert.Equal("content-type;host;x-amz-date;x-amz-target", match.Groups["signed"].Value);

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(["ConfigurationName", "Players", "TicketId"], Names(root));
        Assert.Equal("ticket-1.party-7", root.GetProperty("TicketId").GetString());
        Assert.Equal("ranked-5v5", root.GetProperty("ConfigurationName").GetString());
        var players = root.GetProperty("Players");
        Assert.Equal(2, players.GetArrayLength());
        var first = players[0];
        Assert.Equal(["LatencyInMs", "PlayerAttributes", "PlayerId"], Names(first));
        var attributes = first.GetProperty("PlayerAttributes");
        Assert.Equal(["N"], Names(attributes.GetProperty("skill")));
        Assert.Equal(1520.5, attributes.GetProperty("skill").GetProperty("N").GetDouble());
        Assert.Equal("deathmatch", attributes.GetProperty("gameMode").GetProperty("S").GetString());
        Assert.Equal(["tank", "healer"], attributes.GetProperty("roles").GetProperty("SL").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(2.5, attributes.GetProperty("mapRatings").GetProperty("SDM").GetProperty("harbor").GetDouble());
        Assert.Equal(23, first.GetProperty("LatencyInMs").GetProperty("eu-west-1").GetInt32());
        Assert.Equal(["PlayerId"], Names(players[1]));
    }

    [Fact]
    public async Task StartMatchmakingAsync_Signature_MatchesAnIndependentSigV4Computation()
    {
        Server.Enqueue(ScriptedResponse.Ok(QueuedTicket));

        await Client(credentials: new SessionAWSCredentials("AKIDEXAMPLE", Secret, "token-1")).StartMatchmakingAsync(TwoPlayerTicket());

        var request = Assert.Single(Server.Requests);
        Assert.Equal("token-1", request.Header("x-amz-security-token"));
        const string signedHeaders = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
        Assert.EndsWith($"SignedHeaders={signedHeaders}, Signature={IndependentSignature(request, signedHeaders)}", request.Header("authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartMatchmakingAsync_DocumentedResponse_IsTyped()
    {
        Server.Enqueue(ScriptedResponse.Ok(QueuedTicket));

        var response = await Client().StartMatchmakingAsync(TwoPlayerTicket());

        var ticket = response.MatchmakingTicket!;
        Assert.Equal("ticket-1.party-7", ticket.TicketId);
        Assert.Equal(MatchmakingTicketStatus.Queued, ticket.Status);
        Assert.Equal("arn:aws:gamelift:eu-west-1:123456789012:matchmakingconfiguration/ranked-5v5", ticket.ConfigurationArn);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), ticket.StartTime);
        Assert.Null(ticket.EndTime);
        Assert.Equal(1520.5, ticket.Players![0].PlayerAttributes!["skill"].N);
    }

    [Fact]
    public async Task StopMatchmakingAsync_Request_SendsTheTicketIdOnly()
    {
        await Client().StopMatchmakingAsync(new StopMatchmakingRequest { TicketId = "ticket-9" });

        var request = Assert.Single(Server.Requests);
        Assert.Equal("GameLift.StopMatchmaking", request.Header("x-amz-target"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(["TicketId"], Names(body.RootElement));
        Assert.Equal("ticket-9", body.RootElement.GetProperty("TicketId").GetString());
    }

    [Theory]
    [InlineData(AcceptanceType.Accept, "ACCEPT")]
    [InlineData(AcceptanceType.Reject, "REJECT")]
    public async Task AcceptMatchAsync_Request_UsesDocumentedFieldsAndEnumValues(AcceptanceType acceptance, string wire)
    {
        await Client().AcceptMatchAsync(new AcceptMatchRequest { TicketId = "ticket-1", PlayerIds = ["player-1", "player-2"], AcceptanceType = acceptance });

        var request = Assert.Single(Server.Requests);
        Assert.Equal("GameLift.AcceptMatch", request.Header("x-amz-target"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(["AcceptanceType", "PlayerIds", "TicketId"], Names(body.RootElement));
        Assert.Equal(wire, body.RootElement.GetProperty("AcceptanceType").GetString());
        Assert.Equal(["player-1", "player-2"], body.RootElement.GetProperty("PlayerIds").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task DescribeMatchmakingAsync_CompletedTicket_ParsesConnectionInfo()
    {
        Server.Enqueue(ScriptedResponse.Ok("""
            {"TicketList":[
              {"TicketId":"ticket-1","ConfigurationName":"ranked-5v5","Status":"COMPLETED",
               "StartTime":1700000000,"EndTime":1700000042.5,"EstimatedWaitTime":30,
               "Players":[{"PlayerId":"player-1","Team":"red"}],
               "GameSessionConnectionInfo":{"GameSessionArn":"arn:aws:gamelift:eu-west-1::gamesession/fleet-1/gs-1",
                 "IpAddress":"192.0.2.10","DnsName":"ec2-192-0-2-10.eu-west-1.compute.amazonaws.com","Port":7777,
                 "MatchedPlayerSessions":[{"PlayerId":"player-1","PlayerSessionId":"psess-1"}]}},
              {"TicketId":"ticket-2","Status":"TIMED_OUT","StatusReason":"TIMED_OUT","StatusMessage":"Removed from matchmaking due to timing out."},
              {"TicketId":"ticket-3","Status":"REQUIRES_ACCEPTANCE"}]}
            """));

        var response = await Client().DescribeMatchmakingAsync(new DescribeMatchmakingRequest { TicketIds = ["ticket-1", "ticket-2", "ticket-3"] });

        var request = Assert.Single(Server.Requests);
        Assert.Equal("GameLift.DescribeMatchmaking", request.Header("x-amz-target"));
        using (var body = JsonDocument.Parse(request.Body))
        {
            Assert.Equal(["TicketIds"], Names(body.RootElement));
            Assert.Equal(3, body.RootElement.GetProperty("TicketIds").GetArrayLength());
        }

        var tickets = response.TicketList!;
        Assert.Equal([MatchmakingTicketStatus.Completed, MatchmakingTicketStatus.TimedOut, MatchmakingTicketStatus.RequiresAcceptance], tickets.Select(t => t.Status!.Value));
        var completed = tickets[0];
        Assert.Equal(TimeSpan.FromSeconds(42.5), completed.EndTime - completed.StartTime);
        Assert.Equal(30, completed.EstimatedWaitTime);
        Assert.Equal("red", completed.Players![0].Team);
        var connection = completed.GameSessionConnectionInfo!;
        Assert.Equal(("192.0.2.10", 7777), (connection.IpAddress, connection.Port!.Value));
        Assert.Equal("psess-1", Assert.Single(connection.MatchedPlayerSessions!).PlayerSessionId);
        Assert.Equal("Removed from matchmaking due to timing out.", tickets[1].StatusMessage);
    }

    [Fact]
    public async Task AnyCall_InvalidRequestException_ThrowsTypedErrorWithoutRetry()
    {
        Server.Enqueue(ScriptedResponse.Error(400, "InvalidRequestException", "Player attribute skill is required"));

        var ex = await Assert.ThrowsAsync<GameLiftException>(() => Client().StartMatchmakingAsync(TwoPlayerTicket()));

        Assert.Equal(GameLiftErrorCodes.InvalidRequest, ex.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("req-InvalidRequestException", ex.RequestId);
        Assert.Contains("Player attribute skill is required", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsRetryable);
        Assert.Single(Server.Requests);
    }

    [Fact]
    public async Task AnyCall_NamespacedNotFoundException_ReportsTheBareCode()
    {
        Server.Enqueue(ScriptedResponse.Error(400, "com.amazonaws.gamelift#NotFoundException", "No ticket ticket-9"));

        var ex = await Assert.ThrowsAsync<GameLiftException>(() => Client().StopMatchmakingAsync(new StopMatchmakingRequest { TicketId = "ticket-9" }));

        Assert.Equal(GameLiftErrorCodes.NotFound, ex.ErrorCode);
        Assert.Single(Server.Requests);
    }

    [Theory]
    [InlineData(400, "ThrottlingException")]
    [InlineData(429, "TooManyRequestsException")]
    [InlineData(500, "InternalServiceException")]
    public async Task AnyCall_RetryableErrorThenSuccess_Retries(int status, string type)
    {
        Server.Enqueue(ScriptedResponse.Error(status, type, "slow down"), ScriptedResponse.Error(status, type, "slow down"), ScriptedResponse.Ok(QueuedTicket));

        var response = await Client().StartMatchmakingAsync(TwoPlayerTicket());

        Assert.Equal(MatchmakingTicketStatus.Queued, response.MatchmakingTicket!.Status);
        Assert.Equal(3, Server.Requests.Count);
    }

    [Fact]
    public async Task AnyCall_InternalServiceExceptionEveryTime_ThrowsTypedErrorAfterRetries()
    {
        Server.Fallback = ScriptedResponse.Error(500, "InternalServiceException", "try again");

        var ex = await Assert.ThrowsAsync<GameLiftException>(() => Client(maxRetries: 2).DescribeMatchmakingAsync(new DescribeMatchmakingRequest { TicketIds = ["t"] }));

        Assert.Equal(GameLiftErrorCodes.InternalService, ex.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.True(ex.IsRetryable);
        Assert.Equal(3, Server.Requests.Count);
    }

    [Fact]
    public async Task AnyCall_UndocumentedStatusInResponse_ThrowsInvalidResponse()
    {
        Server.Enqueue(ScriptedResponse.Ok("""{"TicketList":[{"Status":"SOMETHING_NEW"}]}"""));

        var ex = await Assert.ThrowsAsync<GameLiftException>(() => Client().DescribeMatchmakingAsync(new DescribeMatchmakingRequest { TicketIds = ["t"] }));

        Assert.Equal(GameLiftErrorCodes.InvalidResponse, ex.ErrorCode);
        Assert.False(ex.IsRetryable);
    }

    [Fact]
    public async Task AnyCall_NoServer_ThrowsNetworkFailureAfterRetries()
    {
        var port = MetaServer.Testing.FreePort.Next();
        var client = new GameLiftClient(
            _http,
            new GameLiftOptions { ServiceUrl = $"http://127.0.0.1:{port}/", Region = Region, MaxRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(2) },
            TimeProvider.System,
            NullLogger<GameLiftClient>.Instance,
            new BasicAWSCredentials("a", "b"));

        var ex = await Assert.ThrowsAsync<GameLiftException>(() => client.StopMatchmakingAsync(new StopMatchmakingRequest { TicketId = "t" }));

        Assert.Equal(GameLiftErrorCodes.NetworkFailure, ex.ErrorCode);
        Assert.Contains("2 attempt(s)", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsRetryable);
    }

    private static string[] Names(JsonElement element) =>
        element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>SigV4 recomputed here from the captured request (canonical request and hashes by the test, key derivation by the shared signer).</summary>
    private static string IndependentSignature(CapturedRequest request, string signedHeaders)
    {
        var amzDate = request.Header("x-amz-date");
        var canonical = new StringBuilder("POST\n/\n\n");
        foreach (var name in signedHeaders.Split(';'))
        {
            canonical.Append(name).Append(':').Append(request.Header(name).Trim()).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(request.Body)));
        var scope = $"{amzDate[..8]}/{Region}/gamelift/aws4_request";
        var stringToSign = string.Create(
            CultureInfo.InvariantCulture,
            $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}");
        return AwsSigV4Signer.ComputeSignature(Secret, amzDate[..8], Region, "gamelift", stringToSign);
    }

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<scope>[0-9]{8}/[^/]+/[^/]+/aws4_request), SignedHeaders=(?<signed>[^,]+), Signature=[0-9a-f]{64}$")]
    private static partial Regex AuthorizationPattern();
}
