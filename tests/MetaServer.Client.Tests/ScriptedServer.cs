using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using MetaServer.Protocol.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetaServer.Client.Tests;

/// <summary>
/// An in-process WebSocket server on 127.0.0.1:0 whose every connection is driven by the test
/// (<see cref="AcceptAsync"/>) or by a handler given at start.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ServerConnection> _accepted = Channel.CreateUnbounded<ServerConnection>();
    private readonly ConcurrentBag<ServerConnection> _all = [];
    private readonly Func<ServerConnection, Task>? _handler;

    private ScriptedServer(Func<ServerConnection, Task>? handler, int? refuseWithStatus)
    {
        _handler = handler;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/ws", async context =>
        {
            if (refuseWithStatus is { } status || !context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = refuseWithStatus ?? StatusCodes.Status400BadRequest;
                return;
            }

            var socket = await context.WebSockets.AcceptWebSocketAsync();
            var connection = new ServerConnection(socket, context.Request.Headers.Origin.ToString());
            _all.Add(connection);
            if (_handler is not null)
            {
                await _handler(connection);
            }
            else
            {
                _accepted.Writer.TryWrite(connection);
                await connection.Finished;
            }
        });
    }

    public Uri Uri { get; private set; } = null!;

    public static async Task<ScriptedServer> StartAsync(Func<ServerConnection, Task>? handler = null, int? refuseWithStatus = null)
    {
        var server = new ScriptedServer(handler, refuseWithStatus);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Uri = new Uri(new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal)), "/ws");
        return server;
    }

    /// <summary>The next connection a client opened (test-driven mode).</summary>
    public Task<ServerConnection> AcceptAsync() => _accepted.Reader.ReadAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _all)
        {
            connection.Finish();
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

public sealed class ServerConnection(WebSocket socket, string origin)
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Origin { get; } = origin;

    public WebSocket Socket { get; } = socket;

    internal Task Finished => _finished.Task;

    public async Task<(byte[] Bytes, WebSocketMessageType Type)> ReceiveRawAsync()
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await Socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return (buffer[..length], result.MessageType);
    }

    public async Task<Envelope> ReceiveAsync()
    {
        var (bytes, type) = await ReceiveRawAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        return Envelope.Parser.ParseFrom(bytes);
    }

    public Task SendAsync(Envelope envelope) =>
        Socket.SendAsync(envelope.ToByteArray(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    /// <summary>Runs the close handshake from the server side, then ends the connection.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        await Socket.CloseAsync(status, description, CancellationToken.None);
        Finish();
    }

    /// <summary>Ends the request without a close handshake (the client sees the connection drop).</summary>
    public void Finish() => _finished.TrySetResult();
}
