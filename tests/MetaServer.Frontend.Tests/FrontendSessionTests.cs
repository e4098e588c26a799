using System.Net.WebSockets;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Frontend.Tests;

public sealed class FrontendSessionTests
{
    [Fact]
    public async Task DeliverEvent_OutboundQueueFull_AbortsSession()
    {
        using var socket = new StalledWebSocket();
        var options = new FrontendOptions { OutboundQueueCapacity = 2 };
        var session = new FrontendSession(socket, options, new UnusedHandler(), new ManualTimeProvider(), NullLogger.Instance);
        var run = session.RunAsync(CancellationToken.None);

        // The send loop takes the first message and stalls in SendAsync; two more fill the queue.
        Assert.True(session.DeliverEvent(Event()));
        await socket.FirstSendStarted.WithTimeout("the first send");
        Assert.True(session.DeliverEvent(Event()));
        Assert.True(session.DeliverEvent(Event()));

        Assert.False(session.DeliverEvent(Event()));

        await run.WithTimeout("the session to end");
        Assert.True(socket.Aborted);
        Assert.Equal(SessionState.Closed, session.State);
    }

    [Fact]
    public async Task Session_NoAuthWithinAuthTimeout_ClosesWithPolicyViolation()
    {
        using var socket = new StalledWebSocket();
        var clock = new ManualTimeProvider();
        var session = new FrontendSession(socket, new FrontendOptions { AuthTimeout = TimeSpan.FromSeconds(10) }, new UnusedHandler(), clock, NullLogger.Instance);
        var run = session.RunAsync(CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.CloseSent.WithTimeout("close frame"));
        clock.Advance(FrontendSession.CloseHandshakeTimeout);
        await run.WithTimeout("the session to end");
    }

    [Fact]
    public async Task DeliverEvent_DisconnectEvent_SendsItAndClosesTheSession()
    {
        using var socket = new StalledWebSocket();
        var clock = new ManualTimeProvider();
        var session = new FrontendSession(socket, new FrontendOptions(), new UnusedHandler(), clock, NullLogger.Instance);
        var run = session.RunAsync(CancellationToken.None);

        Assert.True(session.DeliverEvent(new Envelope { Disconnect = new DisconnectEvent { Code = ResultCode.AccountBanned, Reason = "banned" } }));
        await socket.FirstSendStarted.WithTimeout("the disconnect event");

        // Closing: nothing more is queued, and a client that does not take the close in time is cut off.
        Assert.False(session.DeliverEvent(Event()));
        clock.Advance(FrontendSession.CloseHandshakeTimeout);
        await run.WithTimeout("the session to end");
        Assert.True(socket.Aborted);
        Assert.Equal((WebSocketCloseStatus.PolicyViolation, "account banned"), FrontendSession.CloseStatusOf(ResultCode.AccountBanned));
    }

    private static Envelope Event() => new() { AccountUpdated = new AccountUpdatedEvent { Account = new AccountSnapshot { AccountId = "a" } } };

    private sealed class UnusedHandler : ISessionRequestHandler
    {
        public Task<HandledRequest> HandleAsync(RequestKind kind, Envelope request, string sessionId, string? accountId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("No request is sent in these tests.");
    }

    /// <summary>A WebSocket whose client never sends and never reads: sends hang until the socket is aborted.</summary>
    private sealed class StalledWebSocket : WebSocket
    {
        private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstSend = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<WebSocketCloseStatus> _closeSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WebSocketState _state = WebSocketState.Open;

        public bool Aborted => _aborted.Task.IsCompleted;

        public Task FirstSendStarted => _firstSend.Task;

        public Task<WebSocketCloseStatus> CloseSent => _closeSent.Task;

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => _state;

        public override string? SubProtocol => null;

        public override void Abort()
        {
            _state = WebSocketState.Aborted;
            _aborted.TrySetResult();
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
        {
            _state = WebSocketState.CloseSent;
            _closeSent.TrySetResult(closeStatus);
            return Task.CompletedTask;
        }

        public override void Dispose() => Abort();

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            await _aborted.Task.WaitAsync(cancellationToken);
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
        }

        public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            _firstSend.TrySetResult();
            await _aborted.Task.WaitAsync(cancellationToken);
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
        }
    }
}
