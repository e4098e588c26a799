using System.Net;
using System.Net.WebSockets;
using System.Text;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.Client.Tests;

public sealed class MetaServerClientTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task SendAsync_ZeroRequestId_AssignsNonZeroIdAndReturnsMatchingReply()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        var pending = client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });
        var request = await connection.ReceiveAsync().WithTimeout("request arrives");
        Assert.NotEqual(0UL, request.RequestId);
        await connection.SendAsync(new Envelope { RequestId = request.RequestId, Account = new AccountResponse { Account = new AccountSnapshot { AccountId = "a1" } } });

        var reply = await pending.WithTimeout("reply");
        Assert.Equal(request.RequestId, reply.RequestId);
        Assert.Equal("a1", reply.Account.Account.AccountId);
    }

    [Fact]
    public async Task SendAsync_RepliesOutOfOrder_EachRequestGetsItsOwnReply()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        var first = client.SendAsync(new Envelope { RequestId = 7, AuthDevice = new AuthDeviceRequest { DeviceId = "d7" } });
        var second = client.SendAsync(new Envelope { RequestId = 8, AuthDevice = new AuthDeviceRequest { DeviceId = "d8" } });
        var requests = new[] { await connection.ReceiveAsync().WithTimeout("request 1"), await connection.ReceiveAsync().WithTimeout("request 2") };
        foreach (var request in requests.Reverse())
        {
            await connection.SendAsync(new Envelope
            {
                RequestId = request.RequestId,
                Auth = new AuthResponse { Account = new AccountSnapshot { AccountId = "for-" + request.AuthDevice.DeviceId } },
            });
        }

        Assert.Equal("for-d7", (await first.WithTimeout("reply 7")).Auth.Account.AccountId);
        Assert.Equal("for-d8", (await second.WithTimeout("reply 8")).Auth.Account.AccountId);
    }

    [Fact]
    public async Task SendAsync_DuplicatePendingId_ThrowsInvalidOperation()
    {
        await using var connected = await Connected.StartAsync();
        var client = connected.Client;

        _ = client.SendAsync(new Envelope { RequestId = 5, GetAccount = new GetAccountRequest() });
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync(new Envelope { RequestId = 5, GetAccount = new GetAccountRequest() }));
    }

    [Fact]
    public async Task Events_ServerEventWithRequestIdZero_IsDeliveredOnEventsChannel()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        await connection.SendAsync(new Envelope { Disconnect = new DisconnectEvent { Code = ResultCode.Unavailable, Reason = "draining" } });

        var received = await client.Events.ReadAsync().AsTask().WithTimeout("event");
        Assert.Equal(0UL, received.RequestId);
        Assert.Equal("draining", received.Disconnect.Reason);
        Assert.Equal(ResultCode.Unavailable, client.LastDisconnect?.Code);
    }

    [Fact]
    public async Task Events_ChannelFull_DropsOldestAndCountsDrops()
    {
        var options = new MetaServerClientOptions { EventCapacity = 2 };
        await using var connected = await Connected.StartAsync(options);
        var (client, connection) = (connected.Client, connected.Connection);

        for (var i = 1; i <= 3; i++)
        {
            await connection.SendAsync(new Envelope { Disconnect = new DisconnectEvent { Reason = $"e{i}" } });
        }

        // A reply sent after the events proves the receive loop handled all three (and was not blocked by the full channel).
        var pending = client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });
        var request = await connection.ReceiveAsync().WithTimeout("request");
        await connection.SendAsync(new Envelope { RequestId = request.RequestId, Account = new AccountResponse() });
        await pending.WithTimeout("reply after events");

        Assert.Equal(1, client.DroppedEventCount);
        Assert.Equal("e2", (await client.Events.ReadAsync().AsTask().WithTimeout("event 2")).Disconnect.Reason);
        Assert.Equal("e3", (await client.Events.ReadAsync().AsTask().WithTimeout("event 3")).Disconnect.Reason);
    }

    [Fact]
    public async Task SendAsync_ServerClosesWhileRequestPending_ThrowsConnectionClosedWithStatus()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        var pending = client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });
        _ = await connection.ReceiveAsync().WithTimeout("request");
        await connection.CloseAsync(WebSocketCloseStatus.PolicyViolation, "too many requests").WithTimeout("server close handshake");

        var error = await Assert.ThrowsAsync<MetaServerConnectionClosedException>(() => pending.WithTimeout("pending request fails"));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, error.CloseStatus);
        Assert.Equal("too many requests", error.CloseStatusDescription);
        await client.Completion.WithTimeout("completion");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        Assert.Equal("too many requests", client.CloseStatusDescription);
        Assert.False(client.IsConnected);
        Assert.False(await client.Events.WaitToReadAsync().AsTask().WithTimeout("events channel completes"));
        await Assert.ThrowsAsync<MetaServerConnectionClosedException>(() => client.GetAccountAsync());
    }

    [Fact]
    public async Task SendAsync_ConnectionDropsWithoutHandshake_PendingRequestFailsInsteadOfHanging()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        var pending = client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });
        _ = await connection.ReceiveAsync().WithTimeout("request");
        connection.Socket.Abort();
        connection.Finish();

        await Assert.ThrowsAsync<MetaServerConnectionClosedException>(() => pending.WithTimeout("pending request fails"));
        await client.Completion.WithTimeout("completion");
    }

    [Fact]
    public async Task LoginDeviceAsync_NonOkResult_ThrowsRequestExceptionWithCodeAndMessage()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        var login = client.LoginDeviceAsync("");
        var request = await connection.ReceiveAsync().WithTimeout("request");
        Assert.Equal(Envelope.PayloadOneofCase.AuthDevice, request.PayloadCase);
        await connection.SendAsync(new Envelope
        {
            RequestId = request.RequestId,
            Result = new Result { Code = ResultCode.InvalidArgument, Message = "device_id is empty" },
        });

        var error = await Assert.ThrowsAsync<MetaServerRequestException>(() => login.WithTimeout("refusal"));
        Assert.Equal(ResultCode.InvalidArgument, error.Code);
        Assert.Equal("device_id is empty", error.ServerMessage);
        Assert.Equal(request.RequestId, error.RequestId);
    }

    [Fact]
    public async Task GetAccountAsync_ReplyWithWrongPayload_ThrowsProtocolException()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        var get = client.GetAccountAsync();
        var request = await connection.ReceiveAsync().WithTimeout("request");
        await connection.SendAsync(new Envelope { RequestId = request.RequestId, Auth = new AuthResponse() });

        await Assert.ThrowsAsync<MetaServerProtocolException>(() => get.WithTimeout("protocol error"));
    }

    [Fact]
    public async Task SendAsync_NoReplyWithinRequestTimeout_ThrowsTimeoutAndLateReplyIsDiscarded()
    {
        var options = new MetaServerClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) };
        await using var connected = await Connected.StartAsync(options);
        var (client, connection) = (connected.Client, connected.Connection);

        var pending = client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });
        var request = await connection.ReceiveAsync().WithTimeout("request");
        var timeout = await Record.ExceptionAsync(() => pending).WithTimeout("request timeout");
        Assert.IsType<TimeoutException>(timeout);

        await connection.SendAsync(new Envelope { RequestId = request.RequestId, Account = new AccountResponse() });
        var next = client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });
        var nextRequest = await connection.ReceiveAsync().WithTimeout("next request");
        await connection.SendAsync(new Envelope { RequestId = nextRequest.RequestId, Account = new AccountResponse() });
        await next.WithTimeout("next reply");
        Assert.Equal(1, client.UnmatchedReplyCount);
    }

    [Fact]
    public async Task SendRawAsync_TextFrame_ArrivesUnchanged()
    {
        await using var connected = await Connected.StartAsync();
        var (client, connection) = (connected.Client, connected.Connection);

        await client.SendRawAsync(Encoding.UTF8.GetBytes("not protobuf"), WebSocketMessageType.Text);

        var (bytes, type) = await connection.ReceiveRawAsync().WithTimeout("raw frame");
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("not protobuf", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task ConnectAsync_Origin_IsSentWithUpgradeRequest()
    {
        var origin = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(connection =>
        {
            origin.TrySetResult(connection.Origin);
            return connection.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye");
        });
        await using var client = await MetaServerClient.ConnectAsync(server.Uri, None, origin: "https://game.example");

        Assert.Equal("https://game.example", await origin.Task.WithTimeout("origin seen by the server"));
        await client.Completion.WithTimeout("server closes");
    }

    [Fact]
    public async Task ConnectAsync_UpgradeRefused_ThrowsConnectExceptionWithHttpStatus()
    {
        await using var server = await ScriptedServer.StartAsync(refuseWithStatus: 403);

        var error = await Assert.ThrowsAsync<MetaServerConnectException>(() => MetaServerClient.ConnectAsync(server.Uri, None).WithTimeout("refusal"));
        Assert.Equal(HttpStatusCode.Forbidden, error.HttpStatusCode);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_ThrowsConnectExceptionWithoutHttpStatus()
    {
        var uri = new Uri($"ws://127.0.0.1:{FreePort.Next()}/ws");

        var error = await Assert.ThrowsAsync<MetaServerConnectException>(() => MetaServerClient.ConnectAsync(uri, None).WithTimeout("refusal"));
        Assert.Null(error.HttpStatusCode);
    }

    [Fact]
    public async Task DisposeAsync_RequestPending_FailsItAndClosesWithNormalClosure()
    {
        await using var server = await ScriptedServer.StartAsync(async connection =>
        {
            // Read the request, never answer, acknowledge the client's close.
            _ = await connection.ReceiveRawAsync();
            var (_, type) = await connection.ReceiveRawAsync();
            if (type == WebSocketMessageType.Close)
            {
                await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        });
        var client = await MetaServerClient.ConnectAsync(server.Uri, None);
        var pending = client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });

        await client.DisposeAsync().AsTask().WithTimeout("dispose");

        await Assert.ThrowsAsync<MetaServerConnectionClosedException>(() => pending.WithTimeout("pending request fails"));
        Assert.True(client.Completion.IsCompleted);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetAccountAsync());
    }
}
