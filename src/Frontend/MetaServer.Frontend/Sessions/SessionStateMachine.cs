using MetaServer.Protocol.V1;

namespace MetaServer.Frontend;

/// <summary>Life of one client session.</summary>
public enum SessionState
{
    /// <summary>The WebSocket is open; only auth requests are accepted.</summary>
    Connected,

    /// <summary>Auth succeeded; every request is accepted.</summary>
    Authenticated,

    /// <summary>The server is shutting down: the in-flight request finishes, new requests are refused.</summary>
    Draining,

    /// <summary>The session is over.</summary>
    Closed,
}

/// <summary>The requests a client may send.</summary>
public enum RequestKind
{
    AuthDevice,
    AuthToken,
    GetAccount,

    /// <summary>An authenticated request forwarded as-is to its service (see <see cref="ClientRoutes"/>).</summary>
    Routed,
}

/// <summary>Outcome of <see cref="SessionStateMachine.OnRequest"/>: accepted (and now in flight) or rejected with a reply.</summary>
public readonly record struct RequestDecision(RequestKind? Kind, ResultCode Code, string Message)
{
    public bool Accepted => Kind is not null;

    public static RequestDecision Accept(RequestKind kind) => new(kind, ResultCode.Ok, string.Empty);

    public static RequestDecision Reject(ResultCode code, string message) => new(null, code, message);
}

/// <summary>
/// The rules of one session, free of I/O so they can be tested as a table: before auth only auth requests
/// are allowed, one request at a time, nothing new while draining. Not thread-safe: the session serialises calls.
/// </summary>
public sealed class SessionStateMachine
{
    public SessionState State { get; private set; } = SessionState.Connected;

    /// <summary>The account of the session once authenticated (kept while draining).</summary>
    public string? AccountId { get; private set; }

    /// <summary>The request id waiting for its reply, if any.</summary>
    public ulong? InFlightRequestId { get; private set; }

    public bool IsAuthenticated => AccountId is not null;

    /// <summary>Checks a client request; when accepted it becomes the one in-flight request.</summary>
    public RequestDecision OnRequest(Envelope request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId == 0)
        {
            return RequestDecision.Reject(ResultCode.InvalidArgument, "request_id must be non-zero");
        }

        RequestKind kind;
        switch (request.PayloadCase)
        {
            case Envelope.PayloadOneofCase.AuthDevice:
                kind = RequestKind.AuthDevice;
                break;
            case Envelope.PayloadOneofCase.AuthToken:
                kind = RequestKind.AuthToken;
                break;
            case Envelope.PayloadOneofCase.GetAccount:
                kind = RequestKind.GetAccount;
                break;
            case Envelope.PayloadOneofCase.None:
                return RequestDecision.Reject(ResultCode.InvalidArgument, "the request has no payload or an unknown one");
            case var routed when ClientRoutes.MessageTypeOf(routed) is not null:
                kind = RequestKind.Routed;
                break;
            default:
                return RequestDecision.Reject(ResultCode.InvalidArgument, "this payload is not a request");
        }

        switch (State)
        {
            case SessionState.Closed:
            case SessionState.Draining:
                return RequestDecision.Reject(ResultCode.Unavailable, "server is shutting down");
        }

        if (InFlightRequestId is { } inFlight)
        {
            return RequestDecision.Reject(ResultCode.RequestInFlight, $"request {inFlight} has not been answered yet");
        }

        var isAuth = kind is RequestKind.AuthDevice or RequestKind.AuthToken;
        if (isAuth && State == SessionState.Authenticated)
        {
            return RequestDecision.Reject(ResultCode.AlreadyAuthenticated, "the session is already authenticated");
        }

        if (!isAuth && State != SessionState.Authenticated)
        {
            return RequestDecision.Reject(ResultCode.NotAuthenticated, "authenticate first");
        }

        if (kind == RequestKind.AuthDevice && request.AuthDevice.DeviceId.Length == 0)
        {
            return RequestDecision.Reject(ResultCode.InvalidArgument, "device_id is required");
        }

        if (kind == RequestKind.AuthToken && request.AuthToken.Token.Length == 0)
        {
            return RequestDecision.Reject(ResultCode.InvalidToken, "token is required");
        }

        InFlightRequestId = request.RequestId;
        return RequestDecision.Accept(kind);
    }

    /// <summary>Marks the session authenticated as <paramref name="accountId"/> (after a successful auth reply).</summary>
    public void Authenticate(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        if (State == SessionState.Connected)
        {
            State = SessionState.Authenticated;
        }

        if (State is SessionState.Authenticated or SessionState.Draining)
        {
            AccountId = accountId;
        }
    }

    /// <summary>
    /// Ends the in-flight request. Returns true when the session is draining and now idle, i.e. it should
    /// say goodbye and close.
    /// </summary>
    public bool CompleteRequest(ulong requestId)
    {
        if (InFlightRequestId == requestId)
        {
            InFlightRequestId = null;
        }

        return State == SessionState.Draining && InFlightRequestId is null;
    }

    /// <summary>Starts draining. Returns true when nothing is in flight, so the session can close now.</summary>
    public bool BeginDrain()
    {
        if (State is SessionState.Connected or SessionState.Authenticated)
        {
            State = SessionState.Draining;
        }

        return State == SessionState.Draining && InFlightRequestId is null;
    }

    public void Close()
    {
        State = SessionState.Closed;
        InFlightRequestId = null;
    }
}
