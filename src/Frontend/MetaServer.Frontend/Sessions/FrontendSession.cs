using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Frontend;

/// <summary>Runs one accepted client request to its reply.</summary>
internal interface ISessionRequestHandler
{
    Task<HandledRequest> HandleAsync(RequestKind kind, Envelope request, string sessionId, string? accountId, CancellationToken cancellationToken);
}

/// <summary>
/// One client connection: a receive loop that enforces the frame rules and the state machine, a single send
/// loop fed by a bounded queue (a client that cannot keep up is aborted), and the auth, idle and close timers.
/// </summary>
internal sealed class FrontendSession
{
    /// <summary>How long the client has to answer our close frame before the connection is cut.</summary>
    internal static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    private const int ReceiveChunkBytes = 4096;

    private readonly WebSocket _socket;
    private readonly FrontendOptions _options;
    private readonly ISessionRequestHandler _handler;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SessionPresence? _presence;
    private readonly Lock _gate = new();
    private readonly SessionStateMachine _machine = new();
    private readonly Channel<Envelope> _outbound;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ITimer _authTimer;
    private readonly ITimer _idleTimer;
    private ITimer? _closeTimer;
    private (WebSocketCloseStatus Status, string Reason)? _close;
    private Task _inFlight = Task.CompletedTask;
    private bool _aborted;

    public FrontendSession(WebSocket socket, FrontendOptions options, ISessionRequestHandler handler, TimeProvider timeProvider, ILogger logger, SessionPresence? presence = null)
    {
        _socket = socket;
        _presence = presence;
        _options = options;
        _handler = handler;
        _timeProvider = timeProvider;
        _logger = logger;
        _outbound = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _authTimer = timeProvider.CreateTimer(static s => ((FrontendSession)s!).OnAuthTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _idleTimer = timeProvider.CreateTimer(static s => ((FrontendSession)s!).OnIdleTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Id { get; } = Guid.NewGuid().ToString("N");

    public SessionState State
    {
        get
        {
            lock (_gate)
            {
                return _machine.State;
            }
        }
    }

    public string? AccountId
    {
        get
        {
            lock (_gate)
            {
                return _machine.AccountId;
            }
        }
    }

    /// <summary>Serves the connection until it closes or is aborted.</summary>
    public async Task RunAsync(CancellationToken connectionAborted)
    {
        Log.SessionOpened(_logger, Id);
        using var abortOnDisconnect = connectionAborted.Register(static s => ((FrontendSession)s!).Abort(), this);
        _authTimer.Change(_options.AuthTimeout, Timeout.InfiniteTimeSpan);
        _idleTimer.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);

        var sendLoop = SendLoopAsync();
        try
        {
            await ReceiveLoopAsync();
            lock (_gate)
            {
                _close ??= (WebSocketCloseStatus.NormalClosure, string.Empty);
            }

            _outbound.Writer.TryComplete();
            StartCloseTimer();
            await sendLoop;
        }
        finally
        {
            lock (_gate)
            {
                _machine.Close();
            }

            _outbound.Writer.TryComplete();
            await _lifetime.CancelAsync();
            await sendLoop;
            await _inFlight;
            await _authTimer.DisposeAsync();
            await _idleTimer.DisposeAsync();
            if (_closeTimer is not null)
            {
                await _closeTimer.DisposeAsync();
            }

            _lifetime.Dispose();
            Log.SessionEnded(_logger, Id);
        }
    }

    /// <summary>
    /// Queues a server event for the client. Returns false when the session is closing or was aborted.
    /// A <see cref="DisconnectEvent"/> (e.g. the account was banned) is sent and then the session closes
    /// (see <see cref="Disconnect"/>).
    /// </summary>
    public bool DeliverEvent(Envelope serverEvent)
    {
        ArgumentNullException.ThrowIfNull(serverEvent);
        if (serverEvent.PayloadCase == Envelope.PayloadOneofCase.Disconnect)
        {
            return Disconnect(serverEvent.Disconnect);
        }

        return Enqueue(serverEvent);
    }

    /// <summary>
    /// Sends <paramref name="disconnect"/> and closes: ACCOUNT_BANNED closes with 1008 (policy violation)
    /// "account banned", UNAVAILABLE with 1001, anything else with 1008 and the code's name.
    /// </summary>
    public bool Disconnect(DisconnectEvent disconnect)
    {
        ArgumentNullException.ThrowIfNull(disconnect);
        if (IsClosing)
        {
            return false;
        }

        Log.SessionDisconnected(_logger, Id, disconnect.Code);
        var queued = Enqueue(new Envelope { Disconnect = disconnect });
        var (status, description) = CloseStatusOf(disconnect.Code);
        RequestClose(status, description);
        return queued;
    }

    internal static (WebSocketCloseStatus Status, string Description) CloseStatusOf(ResultCode code) => code switch
    {
        ResultCode.AccountBanned => (WebSocketCloseStatus.PolicyViolation, "account banned"),
        ResultCode.Unavailable => (WebSocketCloseStatus.EndpointUnavailable, "server is shutting down"),
        ResultCode.InvalidToken => (WebSocketCloseStatus.PolicyViolation, "session no longer valid"),
        _ => (WebSocketCloseStatus.PolicyViolation, "disconnected: " + code),
    };

    /// <summary>Draining: finish the in-flight request, then say goodbye and close with 1001.</summary>
    public void BeginDrain()
    {
        bool closeNow;
        lock (_gate)
        {
            closeNow = _machine.BeginDrain();
        }

        if (closeNow)
        {
            SayGoodbye();
        }
    }

    /// <summary>Cuts the connection without a close handshake.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            if (_aborted)
            {
                return;
            }

            _aborted = true;
        }

        _outbound.Writer.TryComplete();
        _socket.Abort();
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session has already ended.
        }
    }

    /// <summary>Asks for a close: queued messages go out first, then the close frame.</summary>
    public void RequestClose(WebSocketCloseStatus status, string reason)
    {
        lock (_gate)
        {
            if (_close is not null || _aborted)
            {
                return;
            }

            _close = (status, reason);
        }

        Log.SessionClosing(_logger, Id, status, reason);
        _outbound.Writer.TryComplete();
        StartCloseTimer();
    }

    private bool IsClosing
    {
        get
        {
            lock (_gate)
            {
                return _close is not null || _aborted;
            }
        }
    }

    private void StartCloseTimer()
    {
        lock (_gate)
        {
            if (_closeTimer is null && !_lifetime.IsCancellationRequested)
            {
                _closeTimer = _timeProvider.CreateTimer(static s => ((FrontendSession)s!).Abort(), this, CloseHandshakeTimeout, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void SayGoodbye()
    {
        Enqueue(new Envelope
        {
            Disconnect = new DisconnectEvent { Code = ResultCode.Unavailable, Reason = "server is shutting down" },
        });
        RequestClose(WebSocketCloseStatus.EndpointUnavailable, "server is shutting down");
    }

    private bool Enqueue(Envelope message)
    {
        if (_outbound.Writer.TryWrite(message))
        {
            return true;
        }

        if (!IsClosing)
        {
            Log.OutboundOverflow(_logger, Id);
            Abort();
        }

        return false;
    }

    private void OnAuthTimeout()
    {
        bool authenticated;
        lock (_gate)
        {
            authenticated = _machine.IsAuthenticated;
        }

        if (!authenticated)
        {
            RequestClose(WebSocketCloseStatus.PolicyViolation, "authentication timeout");
        }
    }

    private void OnIdleTimeout() => RequestClose(WebSocketCloseStatus.PolicyViolation, "idle timeout");

    private async Task SendLoopAsync()
    {
        var token = _lifetime.Token;
        try
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            await foreach (var message in _outbound.Reader.ReadAllAsync(token))
            {
                buffer.ResetWrittenCount();
                message.WriteTo(buffer);
                await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, token);
            }

            (WebSocketCloseStatus Status, string Reason)? close;
            lock (_gate)
            {
                close = _aborted ? null : _close;
            }

            if (close is { } c && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(c.Status, c.Reason, token);
            }
        }
        catch (OperationCanceledException)
        {
            // Aborted.
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            Log.SessionConnectionLost(_logger, ex, Id);
            Abort();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var token = _lifetime.Token;
        var message = new ArrayBufferWriter<byte>(ReceiveChunkBytes);
        var discard = new byte[ReceiveChunkBytes];
        try
        {
            while (true)
            {
                var closing = IsClosing;
                var memory = closing ? discard.AsMemory() : message.GetMemory(ReceiveChunkBytes);
                var result = await _socket.ReceiveAsync(memory, token);
                _idleTimer.Change(_options.IdleTimeout, Timeout.InfiniteTimeSpan);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (closing)
                {
                    // After deciding to close, everything but the client's close frame is ignored.
                    message.ResetWrittenCount();
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    RequestClose(WebSocketCloseStatus.InvalidMessageType, "binary frames only");
                    continue;
                }

                message.Advance(result.Count);
                if (message.WrittenCount > _options.MaxMessageBytes)
                {
                    RequestClose(WebSocketCloseStatus.MessageTooBig, $"messages are limited to {_options.MaxMessageBytes} bytes");
                    continue;
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                Envelope request;
                try
                {
                    request = Envelope.Parser.ParseFrom(message.WrittenSpan);
                }
                catch (InvalidProtocolBufferException)
                {
                    RequestClose(WebSocketCloseStatus.InvalidPayloadData, "not a metaserver.v1.Envelope");
                    continue;
                }

                message.ResetWrittenCount();
                if (message.Capacity > _options.MaxMessageBytes / 4 && message.Capacity > ReceiveChunkBytes * 4)
                {
                    // Do not keep a large buffer around for an idle session.
                    message = new ArrayBufferWriter<byte>(ReceiveChunkBytes);
                }

                OnRequest(request);
            }
        }
        catch (OperationCanceledException)
        {
            // Aborted.
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            Log.SessionConnectionLost(_logger, ex, Id);
        }
    }

    private void OnRequest(Envelope request)
    {
        RequestDecision decision;
        string? accountId;
        lock (_gate)
        {
            decision = _machine.OnRequest(request);
            accountId = _machine.AccountId;
            if (decision.Kind is { } kind)
            {
                _inFlight = ProcessAsync(kind, request, accountId);
            }
        }

        if (!decision.Accepted)
        {
            Enqueue(RequestHandler.Error(request.RequestId, decision.Code, decision.Message));
        }
    }

    private async Task ProcessAsync(RequestKind kind, Envelope request, string? accountId)
    {
        // Leave the receive loop (and the lock) before doing any work.
        await Task.Yield();
        Envelope reply;
        string? authenticated = null;
        DisconnectEvent? closeWith = null;
        try
        {
            var handled = await _handler.HandleAsync(kind, request, Id, accountId, _lifetime.Token);
            reply = handled.Reply;
            authenticated = handled.AuthenticatedAccountId;
            closeWith = handled.CloseWith;
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // The client gets a plain INTERNAL reply; the exception goes to the log only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RequestFailed(_logger, ex, Id, request.RequestId);
            reply = RequestHandler.Error(request.RequestId, ResultCode.Internal, "internal error");
        }

        bool closeNow;
        lock (_gate)
        {
            if (authenticated is not null)
            {
                _machine.Authenticate(authenticated);
            }

            closeNow = _machine.CompleteRequest(request.RequestId);
        }

        if (authenticated is not null)
        {
            _authTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

            // Registered before the client hears it is authenticated, so it can receive pushed events from then on.
            if (_presence is not null)
            {
                await _presence.AuthenticatedAsync(Id, authenticated);
            }
        }

        Enqueue(reply);
        if (closeWith is not null)
        {
            Disconnect(closeWith);
        }
        else if (closeNow)
        {
            SayGoodbye();
        }
    }
}
