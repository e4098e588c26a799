using System.Net;
using System.Net.WebSockets;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Frontend.Tests.Integration;

public sealed class FrontendIntegrationTests
{
    private static readonly Envelope GetAccount = new() { GetAccount = new GetAccountRequest() };

    [Fact]
    public async Task GetAccount_BeforeAuth_NotAuthenticatedAndSessionStays()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.RequestAsync(GetAccount.Clone());

        Assert.Equal(ResultCode.NotAuthenticated, reply.Result.Code);
        Assert.Equal(ResultCode.Ok, (await client.LoginAsync("device-a")).Result.Code);
    }

    [Fact]
    public async Task AuthDevice_NewDevice_ReturnsTokenAndAccountThenGetAccountWorks()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var login = await client.LoginAsync("device-a");

        Assert.Equal(ResultCode.Ok, login.Result.Code);
        Assert.True(login.Auth.Created);
        Assert.False(string.IsNullOrEmpty(login.Auth.Token));
        Assert.True(login.Auth.TokenExpiresAtUnixMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var account = await client.RequestAsync(GetAccount.Clone());
        Assert.Equal(ResultCode.Ok, account.Result.Code);
        Assert.Equal(login.Auth.Account.AccountId, account.Account.Account.AccountId);

        var request = await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("the login request");
        Assert.Equal(MessageTypes.AccountsLoginDevice, request.MessageType);
        Assert.Equal(server.App.Services.GetRequiredService<QueueNames>().ReplyQueue(InstanceId(server)), request.ReplyTo);
        Assert.Equal("t1", request.DeploymentVersion);
        Assert.NotNull(request.CorrelationId);
        Assert.NotNull(request.SessionId);
        Assert.NotNull(request.TraceId);
    }

    [Fact]
    public async Task RoutedRequest_Authenticated_ForwardsRequestAsIsAndRelaysServiceReply()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var login = await client.LoginAsync("device-a");
        _ = await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("the login request");

        var reply = await client.RequestAsync(new Envelope { SetNickname = new SetNicknameRequest { ClientRequestId = "r-1", Nickname = "Ace" } });

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal("Ace", reply.Account.Account.Nickname);
        var forwarded = await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("the routed request");
        Assert.Equal(MessageTypes.AccountsSetNickname, forwarded.MessageType);
        Assert.Equal(login.Auth.Account.AccountId, forwarded.PlayerId);
        var payload = SetNicknameRequest.Parser.ParseFrom(forwarded.Payload.Span);
        Assert.Equal("r-1", payload.ClientRequestId);
        Assert.Equal("Ace", payload.Nickname);
    }

    [Fact]
    public async Task RoutedRequest_ServiceRefuses_ClientGetsServiceErrorAndSessionStays()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.LoginAsync("device-a");

        var refused = await client.RequestAsync(new Envelope { SetNickname = new SetNicknameRequest { ClientRequestId = "r-1", Nickname = "taken" } });
        var garbage = await client.RequestAsync(new Envelope { SetNickname = new SetNicknameRequest { ClientRequestId = "r-2", Nickname = "garbage" } });

        Assert.Equal(ResultCode.InvalidArgument, refused.Result.Code);
        Assert.Equal("nickname taken", refused.Result.Message);
        Assert.Equal(ResultCode.Internal, garbage.Result.Code);
        Assert.Equal(ResultCode.Ok, (await client.RequestAsync(GetAccount.Clone())).Result.Code);
    }

    [Fact]
    public async Task RoutedRequest_BeforeAuth_NotAuthenticatedAndNothingForwarded()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.RequestAsync(new Envelope { SetNickname = new SetNicknameRequest { ClientRequestId = "r-1", Nickname = "Ace" } });

        Assert.Equal(ResultCode.NotAuthenticated, reply.Result.Code);
        Assert.False(server.Accounts.Received.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Request_WhileAnotherInFlight_RequestInFlightAndConnectionStays()
    {
        await using var server = await FrontendServer.StartAsync();
        server.Accounts.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendAsync(new Envelope { RequestId = 1, AuthDevice = new AuthDeviceRequest { DeviceId = "device-a" } });
        await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("the first request at the backend");
        await client.SendAsync(new Envelope { RequestId = 2, AuthDevice = new AuthDeviceRequest { DeviceId = "device-a" } });

        var second = await client.ReceiveAsync();
        Assert.Equal(2UL, second.RequestId);
        Assert.Equal(ResultCode.RequestInFlight, second.Result.Code);

        server.Accounts.Hold.SetResult();
        var first = await client.ReceiveAsync();
        Assert.Equal(1UL, first.RequestId);
        Assert.Equal(ResultCode.Ok, first.Result.Code);
        Assert.Equal(WebSocketState.Open, client.Socket.State);
        Assert.Equal(ResultCode.Ok, (await client.RequestAsync(GetAccount.Clone())).Result.Code);
    }

    [Fact]
    public async Task Frame_LargerThanMaxMessageBytes_Closed1009()
    {
        await using var server = await FrontendServer.StartAsync(new Dictionary<string, string?> { ["MetaServer:Frontend:MaxMessageBytes"] = "1024" });
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var big = new Envelope { RequestId = 1, AuthDevice = new AuthDeviceRequest { DeviceId = new string('x', 5000) } };
        await client.SendAsync(big);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Frame_Garbage_Closed1007AndOtherClientsStillServed()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var bad = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var good = await TestClient.ConnectAsync(server.WebSocketUri);

        await bad.SendBytesAsync([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], WebSocketMessageType.Binary);

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await bad.ReceiveCloseAsync());
        Assert.Equal(ResultCode.Ok, (await good.LoginAsync("device-good")).Result.Code);
    }

    [Fact]
    public async Task Frame_Text_Closed1003()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendBytesAsync("{\"hello\":1}"u8.ToArray(), WebSocketMessageType.Text);

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Request_NoReply_TimeoutThenNextRequestWorksAndLateReplyIsDropped()
    {
        await using var server = await FrontendServer.StartAsync(new Dictionary<string, string?> { ["MetaServer:Frontend:RequestTimeout"] = "00:00:02" });
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Accounts.Hold = hold;
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var timedOut = await client.LoginAsync("device-a");
        Assert.Equal(ResultCode.Timeout, timedOut.Result.Code);

        // Release the late answer and a fresh one; only the fresh one reaches the client.
        server.Accounts.Hold = null;
        hold.SetResult();
        var login = await client.LoginAsync("device-a");
        Assert.Equal(ResultCode.Ok, login.Result.Code);
        Assert.Equal(ResultCode.Ok, (await client.RequestAsync(GetAccount.Clone())).Result.Code);
    }

    [Fact]
    public async Task Request_BackendQueueMissing_Unavailable()
    {
        await using var server = await FrontendServer.StartAsync(startAccounts: false);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.LoginAsync("device-a");

        Assert.Equal(ResultCode.Unavailable, reply.Result.Code);
        Assert.Equal("the accounts service is not available", reply.Result.Message);
    }

    [Fact]
    public async Task AuthToken_FromEarlierLogin_ResumesSameAccount()
    {
        await using var server = await FrontendServer.StartAsync();
        string token;
        string accountId;
        await using (var first = await TestClient.ConnectAsync(server.WebSocketUri))
        {
            var login = await first.LoginAsync("device-a");
            token = login.Auth.Token;
            accountId = login.Auth.Account.AccountId;
        }

        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);
        var resumed = await second.RequestAsync(new Envelope { AuthToken = new AuthTokenRequest { Token = token } });

        Assert.Equal(ResultCode.Ok, resumed.Result.Code);
        Assert.Equal(accountId, resumed.Auth.Account.AccountId);
        Assert.False(resumed.Auth.Created);
        Assert.Equal(accountId, (await second.RequestAsync(GetAccount.Clone())).Account.Account.AccountId);
    }

    [Fact]
    public async Task AuthToken_Forged_InvalidToken()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.RequestAsync(new Envelope { AuthToken = new AuthTokenRequest { Token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA" } });

        Assert.Equal(ResultCode.InvalidToken, reply.Result.Code);
        Assert.Equal(ResultCode.NotAuthenticated, (await client.RequestAsync(GetAccount.Clone())).Result.Code);
    }

    [Fact]
    public async Task Session_NoAuthInTime_Closed1008()
    {
        await using var server = await FrontendServer.StartAsync(new Dictionary<string, string?> { ["MetaServer:Frontend:AuthTimeout"] = "00:00:00.300" });
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Upgrade_DisallowedOrigin_403()
    {
        await using var server = await FrontendServer.StartAsync(new Dictionary<string, string?> { ["MetaServer:Frontend:AllowedOrigins:0"] = "https://game.example" });

        using var probe = new ClientWebSocket();
        probe.Options.CollectHttpResponseDetails = true;
        probe.Options.SetRequestHeader("Origin", "https://evil.example");
        await Assert.ThrowsAsync<WebSocketException>(() => probe.ConnectAsync(server.WebSocketUri, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, probe.HttpStatusCode);

        await using var allowed = await TestClient.ConnectAsync(server.WebSocketUri, origin: "https://game.example");
        Assert.Equal(ResultCode.Ok, (await allowed.LoginAsync("device-a")).Result.Code);
    }

    [Fact]
    public async Task Stop_WithRequestInFlight_ReadyzDrainingThenReplyDisconnectAndClose1001()
    {
        await using var server = await FrontendServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        Assert.Equal(ResultCode.Ok, (await client.LoginAsync("device-a")).Result.Code);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Accounts.Hold = hold;
        await client.SendAsync(new Envelope { RequestId = 50, GetAccount = new GetAccountRequest() });
        await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("login at the backend");
        await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("get-account at the backend");

        var stop = server.StopAsync();
        await server.App.Services.GetRequiredService<SessionRegistry>().DrainStarted.WithTimeout("draining to start");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        using (var late = new ClientWebSocket())
        {
            late.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => late.ConnectAsync(server.WebSocketUri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, late.HttpStatusCode);
        }

        hold.SetResult();
        var reply = await client.ReceiveAsync();
        Assert.Equal(50UL, reply.RequestId);
        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        var goodbye = await client.ReceiveAsync();
        Assert.Equal(ResultCode.Unavailable, goodbye.Disconnect.Code);
        Assert.Equal("server is shutting down", goodbye.Disconnect.Reason);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await client.ReceiveCloseAsync());
        await stop.WithTimeout("the server to stop");

        var transport = server.App.Services.GetRequiredService<IMessageTransport>();
        var replyQueue = server.App.Services.GetRequiredService<QueueNames>().ReplyQueue(InstanceId(server));
        Assert.False(await transport.QueueExistsAsync(replyQueue));
    }

    [Fact]
    public async Task ServerEvent_ForSession_DeliveredToItsClient()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        Assert.Equal(ResultCode.Ok, (await client.LoginAsync("device-a")).Result.Code);
        var login = await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("the login request");
        var transport = server.App.Services.GetRequiredService<IMessageTransport>();

        var clientEvent = new Envelope { Disconnect = new DisconnectEvent { Code = ResultCode.Unavailable, Reason = "kicked" } };
        await transport.SendAsync(login.ReplyTo!, EnvelopeCodec.Encode(new MessageEnvelope
        {
            MessageType = "test.event",
            MessageId = Guid.NewGuid().ToString("N"),
            SessionId = login.SessionId,
            DeploymentVersion = "t1",
            Payload = Google.Protobuf.MessageExtensions.ToByteArray(clientEvent),
        }));

        var received = await client.ReceiveAsync();
        Assert.Equal(0UL, received.RequestId);
        Assert.Equal("kicked", received.Disconnect.Reason);
    }

    [Fact]
    public async Task Session_NoFramesForIdleTimeout_Closed()
    {
        // The auth timeout is far away, so the close can only come from the idle timeout.
        await using var server = await FrontendServer.StartAsync(new Dictionary<string, string?>
        {
            ["MetaServer:Frontend:IdleTimeout"] = "00:00:00.300",
            ["MetaServer:Frontend:AuthTimeout"] = "00:30:00",
        });
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task SessionsMetric_OneClient_ReportsOne()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        Assert.Equal(ResultCode.Ok, (await client.LoginAsync("device-a")).Result.Code);
        var values = new List<long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "MetaServer.Frontend" && instrument.Name == "metaserver.frontend.sessions")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => values.Add(value));
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Contains(1L, values);
    }

    [Fact]
    public async Task Healthz_Running_200()
    {
        await using var server = await FrontendServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }

    private static string InstanceId(FrontendServer server) =>
        server.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FrontendOptions>>().Value.InstanceId;
}
