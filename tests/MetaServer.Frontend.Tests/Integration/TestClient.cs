using System.Buffers;
using System.Net.WebSockets;
using Google.Protobuf;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.Frontend.Tests.Integration;

/// <summary>A minimal protocol client for the tests: one Envelope per binary frame.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private ulong _nextRequestId;

    private TestClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<TestClient> ConnectAsync(Uri uri, string? origin = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        await socket.ConnectAsync(uri, CancellationToken.None).WithTimeout("connect");
        return new TestClient(socket);
    }

    public ulong NextRequestId() => ++_nextRequestId;

    public Task SendAsync(Envelope envelope) => SendBytesAsync(envelope.ToByteArray(), WebSocketMessageType.Binary);

    public Task SendBytesAsync(byte[] bytes, WebSocketMessageType type) =>
        Socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None).WithTimeout("send");

    public async Task<Envelope> RequestAsync(Envelope request)
    {
        if (request.RequestId == 0)
        {
            request.RequestId = NextRequestId();
        }

        await SendAsync(request);
        var reply = await ReceiveAsync();
        Assert.Equal(request.RequestId, reply.RequestId);
        return reply;
    }

    public Task<Envelope> LoginAsync(string deviceId) =>
        RequestAsync(new Envelope { AuthDevice = new AuthDeviceRequest { DeviceId = deviceId } });

    /// <summary>The next Envelope; fails if the server closes instead.</summary>
    public async Task<Envelope> ReceiveAsync()
    {
        var (envelope, close) = await ReceiveFrameAsync().WithTimeout("a message from the server");
        Assert.True(envelope is not null, $"The server closed the connection ({close}) instead of sending a message.");
        return envelope;
    }

    /// <summary>Reads until the server's close frame and returns its status (messages on the way are skipped).</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(List<Envelope>? skipped = null)
    {
        while (true)
        {
            var (envelope, close) = await ReceiveFrameAsync().WithTimeout("the server to close the connection");
            if (envelope is null)
            {
                return close;
            }

            skipped?.Add(envelope);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                Socket.Abort();
            }
        }

        Socket.Dispose();
    }

    private async Task<(Envelope? Envelope, WebSocketCloseStatus? Close)> ReceiveFrameAsync()
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.GetMemory(4096), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (null, Socket.CloseStatus);
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return (Envelope.Parser.ParseFrom(buffer.WrittenSpan), null);
            }
        }
    }
}
