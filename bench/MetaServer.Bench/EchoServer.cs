using System.Net;
using System.Net.WebSockets;
using Google.Protobuf;
using MetaServer.Protocol.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetaServer.Bench;

/// <summary>
/// The baseline: bare Kestrel + WebSockets on 127.0.0.1:0. Every binary frame is parsed as an <see cref="Envelope"/>
/// and answered with a canned reply of the same type and size as the real one (an <see cref="AuthResponse"/> for
/// logins, an <see cref="AccountResponse"/> otherwise), echoing the request id. No sessions, no tokens, no queues,
/// no store: only what any WebSocket server must do.
/// </summary>
internal static class EchoServer
{
    private const int ReceiveBufferBytes = 4096;

    public static WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        BenchLogging.Configure(builder);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await ServeAsync(socket, context.RequestAborted);
        });
        return app;
    }

    /// <summary>A reply whose size matches the full path's GetAccount reply for a bench account (one device, default nickname).</summary>
    public static Envelope CannedReply() => new()
    {
        Result = new Result { Code = ResultCode.Ok },
        Account = new AccountResponse { Account = CannedSnapshot() },
    };

    /// <summary>A login reply with a token of the size the frontend issues (HS256 JWT-like, about 200 characters).</summary>
    public static Envelope CannedAuthReply() => new()
    {
        Result = new Result { Code = ResultCode.Ok },
        Auth = new AuthResponse
        {
            Token = new string('t', 200),
            TokenExpiresAtUnixMs = 1_790_000_000_000,
            Created = true,
            Account = CannedSnapshot(),
        },
    };

    private static AccountSnapshot CannedSnapshot() => new()
    {
        AccountId = Guid.NewGuid().ToString("N"),
        Nickname = "Player1234",
        CreatedAtUnixMs = 1_790_000_000_000,
        LastLoginAtUnixMs = 1_790_000_000_000,
        Revision = 1,
        DeviceIds = { "bench-1a2b3c4d-1234" },
    };

    private static async Task ServeAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[ReceiveBufferBytes];
        var reply = CannedReply();
        var authReply = CannedAuthReply();
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close && length < buffer.Length);

                if (result.MessageType == WebSocketMessageType.Close || !result.EndOfMessage)
                {
                    break;
                }

                var request = Envelope.Parser.ParseFrom(buffer, 0, length);
                var answer = request.PayloadCase is Envelope.PayloadOneofCase.AuthDevice or Envelope.PayloadOneofCase.AuthToken ? authReply : reply;
                answer.RequestId = request.RequestId;
                await socket.SendAsync(answer.ToByteArray(), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }

            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidProtocolBufferException)
        {
            // Client went away or sent garbage: the bench does neither on purpose; just end the connection.
        }
    }
}
