using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Google.Protobuf;
using MetaServer.Protocol.V1;

namespace MetaServer.Client;

/// <summary>
/// A connection to a MetaServer frontend speaking the v1 client protocol: one <see cref="Envelope"/> per binary
/// WebSocket frame. Requests get client-chosen non-zero ids; a background receive loop matches replies to pending
/// requests by id and puts server events (request id 0) in <see cref="Events"/>.
/// </summary>
/// <remarks>
/// Thread-safe: requests may be sent from several threads (frames are sent one at a time). Note that the server
/// answers only one request per session at a time (<see cref="ResultCode.RequestInFlight"/> otherwise).
/// When the connection closes, every pending and later request fails with
/// <see cref="MetaServerConnectionClosedException"/>, <see cref="Events"/> completes and <see cref="Completion"/>
/// completes; <see cref="CloseStatus"/> and <see cref="CloseStatusDescription"/> then tell why.
/// </remarks>
public sealed partial class MetaServerClient : IAsyncDisposable
{
    private const int InitialBufferBytes = 4096;

    private readonly ClientWebSocket _socket;
    private readonly MetaServerClientOptions _options;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<Envelope>> _pending = new();
    private readonly Channel<Envelope> _events;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiveLoop = Task.CompletedTask;
    private long _nextRequestId;
    private long _droppedEvents;
    private long _unmatchedReplies;
    private int _disposed;
    private string? _closedMessage;
    private Exception? _closedCause;
    private DisconnectEvent? _disconnect;
    private MatchmakingStatus? _lastMatchmakingUpdate;

    private MetaServerClient(ClientWebSocket socket, Uri uri, MetaServerClientOptions options)
    {
        _socket = socket;
        _options = options;
        Uri = uri;
        _events = Channel.CreateBounded<Envelope>(
            new BoundedChannelOptions(options.EventCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleWriter = true,
                SingleReader = false,
            },
            _ => Interlocked.Increment(ref _droppedEvents));
    }

    /// <summary>The server address this client connected to.</summary>
    public Uri Uri { get; }

    /// <summary>
    /// Server events (envelopes with request id 0), in arrival order. Bounded by
    /// <see cref="MetaServerClientOptions.EventCapacity"/>: when full, the oldest unread event is dropped and
    /// <see cref="DroppedEventCount"/> increases, so replies are never held up by an idle reader.
    /// Completes when the connection closes.
    /// </summary>
    public ChannelReader<Envelope> Events => _events.Reader;

    /// <summary>Events dropped because <see cref="Events"/> was full.</summary>
    public long DroppedEventCount => Interlocked.Read(ref _droppedEvents);

    /// <summary>Replies whose request was no longer pending (it timed out or was cancelled); they are discarded.</summary>
    public long UnmatchedReplyCount => Interlocked.Read(ref _unmatchedReplies);

    /// <summary>Completes (never faults) when the connection has closed, for whatever reason.</summary>
    public Task Completion => _completion.Task;

    /// <summary>True until the connection closes.</summary>
    public bool IsConnected => !_completion.Task.IsCompleted && _socket.State == WebSocketState.Open;

    /// <summary>Close status received from the server (or sent by this client), once closed; null if it ended without a close handshake.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Close description that went with <see cref="CloseStatus"/>.</summary>
    public string? CloseStatusDescription { get; private set; }

    /// <summary>The last <see cref="DisconnectEvent"/> the server sent, if any (it is also delivered in <see cref="Events"/>).</summary>
    public DisconnectEvent? LastDisconnect => Volatile.Read(ref _disconnect);

    /// <summary>Connects to <paramref name="uri"/> (e.g. <c>ws://127.0.0.1:8080/ws</c>), optionally sending an <c>Origin</c> header.</summary>
    /// <exception cref="MetaServerConnectException">The server is unreachable or refused the WebSocket upgrade.</exception>
    public static Task<MetaServerClient> ConnectAsync(Uri uri, CancellationToken cancellationToken, string? origin = null) =>
        ConnectAsync(uri, new MetaServerClientOptions { Origin = origin }, cancellationToken);

    /// <summary>Connects to <paramref name="uri"/> with the given options.</summary>
    /// <exception cref="MetaServerConnectException">The server is unreachable or refused the WebSocket upgrade.</exception>
    public static async Task<MetaServerClient> ConnectAsync(Uri uri, MetaServerClientOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        options ??= new MetaServerClientOptions();
        options.Validate();

        var socket = new ClientWebSocket();
        try
        {
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.KeepAliveInterval = options.KeepAliveInterval;
            if (options.Origin is not null)
            {
                socket.Options.SetRequestHeader("Origin", options.Origin);
            }

            try
            {
                await socket.ConnectAsync(uri, cancellationToken);
            }
            catch (WebSocketException ex)
            {
                var status = socket.HttpStatusCode == 0 ? (System.Net.HttpStatusCode?)null : socket.HttpStatusCode;
                var detail = status is null ? ex.Message : $"the server answered HTTP {(int)status.Value} {status.Value}";
                throw new MetaServerConnectException($"Cannot connect to {uri}: {detail}", status, ex);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new MetaServerClient(socket, uri, options);
        client._receiveLoop = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        return client;
    }

    /// <summary>
    /// Sends a request and waits for its reply. A <c>request_id</c> of 0 is replaced by the next free id
    /// (the envelope is modified). Returns the reply whatever its result code; use the typed helpers to have
    /// non-OK results thrown as <see cref="MetaServerRequestException"/>.
    /// </summary>
    /// <exception cref="MetaServerConnectionClosedException">The connection is or becomes closed before the reply.</exception>
    /// <exception cref="TimeoutException">No reply within <see cref="MetaServerClientOptions.RequestTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">A request with the same id is already pending.</exception>
    /// <remarks>
    /// Cancelling while waiting for the reply only stops waiting (a late reply is discarded and counted in
    /// <see cref="UnmatchedReplyCount"/>); cancelling while the frame is being written aborts the connection, as
    /// <see cref="ClientWebSocket"/> does.
    /// </remarks>
    public async Task<Envelope> SendAsync(Envelope request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfClosed();

        if (request.RequestId == 0)
        {
            request.RequestId = NextRequestId();
        }

        var id = request.RequestId;
        var reply = new TaskCompletionSource<Envelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(id, reply))
        {
            throw new InvalidOperationException($"A request with id {id} is already pending.");
        }

        try
        {
            // The receive loop may have shut down between the first check and TryAdd.
            ThrowIfClosed();
            await SendFrameAsync(request.ToByteArray(), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            var timeout = _options.RequestTimeout;
            try
            {
                return timeout == Timeout.InfiniteTimeSpan
                    ? await reply.Task.WaitAsync(cancellationToken)
                    : await reply.Task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"No reply to request {id} ({request.PayloadCase}) within {timeout.TotalSeconds:0.###} s.");
            }
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<ulong, TaskCompletionSource<Envelope>>(id, reply));
        }
    }

    /// <summary>Logs in with a device id (creating the account on first login).</summary>
    /// <exception cref="MetaServerRequestException">The server refused the login.</exception>
    public async Task<AuthResponse> LoginDeviceAsync(string deviceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        var reply = await SendAsync(new Envelope { AuthDevice = new AuthDeviceRequest { DeviceId = deviceId } }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Auth).Auth;
    }

    /// <summary>Resumes the account of an earlier session with its session token.</summary>
    /// <exception cref="MetaServerRequestException">The server refused the token (e.g. <see cref="ResultCode.InvalidToken"/>).</exception>
    public async Task<AuthResponse> ResumeAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var reply = await SendAsync(new Envelope { AuthToken = new AuthTokenRequest { Token = token } }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Auth).Auth;
    }

    /// <summary>Logs in with a game-chosen custom id (creating the account on first login).</summary>
    /// <exception cref="MetaServerRequestException">The server refused the login (e.g. <see cref="ResultCode.AccountBanned"/>).</exception>
    public async Task<AuthResponse> LoginCustomAsync(string customId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(customId);
        var reply = await SendAsync(new Envelope { AuthCustom = new AuthCustomRequest { CustomId = customId } }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Auth).Auth;
    }

    /// <summary>Logs in with a Sign in with Apple / Google id token (creating the account on first login).</summary>
    /// <exception cref="MetaServerRequestException">The server refused the login (e.g. <see cref="ResultCode.InvalidToken"/>).</exception>
    public async Task<AuthResponse> LoginProviderAsync(IdentityProvider provider, string idToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idToken);
        var reply = await SendAsync(new Envelope { AuthProvider = new AuthProviderRequest { Provider = provider, IdToken = idToken } }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Auth).Auth;
    }

    /// <summary>
    /// Links one more identity to this session's account: set one of the request's device id, custom id or provider
    /// token. A fresh <c>client_request_id</c> is chosen when it is empty.
    /// </summary>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.AlreadyLinked"/>).</exception>
    public async Task<AccountResponse> LinkAsync(LinkRequest link, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(link);
        var request = link.Clone();
        if (request.ClientRequestId.Length == 0)
        {
            request.ClientRequestId = Guid.NewGuid().ToString("N");
        }

        var reply = await SendAsync(new Envelope { Link = request }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Account).Account;
    }

    /// <summary>Unlinks an identity (kind and id as listed in the account snapshot) from this session's account.</summary>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.FailedPrecondition"/> for the last identity).</exception>
    public async Task<AccountResponse> UnlinkAsync(IdentityKind kind, string id, string? clientRequestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var request = new UnlinkRequest { ClientRequestId = clientRequestId ?? Guid.NewGuid().ToString("N"), Kind = kind, Id = id };
        var reply = await SendAsync(new Envelope { Unlink = request }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Account).Account;
    }

    /// <summary>Gets a fresh session token for this session's account.</summary>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.AccountBanned"/>; the server then closes the session).</exception>
    public async Task<TokenResponse> RefreshTokenAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new Envelope { RefreshToken = new RefreshTokenRequest() }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Token).Token;
    }

    /// <summary>Fetches the account of this (authenticated) session.</summary>
    /// <exception cref="MetaServerRequestException">The server refused the request (e.g. <see cref="ResultCode.NotAuthenticated"/>).</exception>
    public async Task<AccountResponse> GetAccountAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new Envelope { GetAccount = new GetAccountRequest() }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Account).Account;
    }

    /// <summary>
    /// A new client request id for a mutating request. Keep it and send it again when retrying the same change (after
    /// a timeout or a reconnect): the server applies a client request id at most once and answers a retry with the
    /// result of the first attempt.
    /// </summary>
    public static string NewClientRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>Sets the account's nickname (rules from the game config).</summary>
    /// <param name="nickname">The new nickname.</param>
    /// <param name="clientRequestId">Idempotency key; a new one when null (see <see cref="NewClientRequestId"/>).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="MetaServerRequestException">The server refused it (e.g. <see cref="ResultCode.InvalidArgument"/>).</exception>
    public Task<AccountResponse> SetNicknameAsync(string nickname, string? clientRequestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        return MutateAsync(new Envelope { SetNickname = new SetNicknameRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), Nickname = nickname } }, cancellationToken);
    }

    /// <summary>Equips owned items; empty fields of <paramref name="loadout"/> keep the current choice.</summary>
    /// <exception cref="MetaServerRequestException">The server refused it (e.g. <see cref="ResultCode.FailedPrecondition"/> for an item not owned).</exception>
    public Task<AccountResponse> SetLoadoutAsync(Loadout loadout, string? clientRequestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loadout);
        return MutateAsync(new Envelope { SetLoadout = new SetLoadoutRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), Loadout = loadout } }, cancellationToken);
    }

    /// <summary>Buys a store offer of the game config.</summary>
    /// <exception cref="MetaServerRequestException">The server refused it (e.g. <see cref="ResultCode.InsufficientFunds"/>).</exception>
    public Task<AccountResponse> PurchaseAsync(string offerId, string? clientRequestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offerId);
        return MutateAsync(new Envelope { Purchase = new PurchaseRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), OfferId = offerId } }, cancellationToken);
    }

    /// <summary>Claims the reward of a completed quest.</summary>
    /// <exception cref="MetaServerRequestException">The server refused it (e.g. <see cref="ResultCode.FailedPrecondition"/>: not complete or claimed).</exception>
    public Task<AccountResponse> ClaimQuestAsync(string questId, string? clientRequestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(questId);
        return MutateAsync(new Envelope { ClaimQuest = new ClaimQuestRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), QuestId = questId } }, cancellationToken);
    }

    /// <summary>Claims today's daily login reward.</summary>
    /// <exception cref="MetaServerRequestException">The server refused it (e.g. <see cref="ResultCode.FailedPrecondition"/>: already claimed today).</exception>
    public Task<AccountResponse> ClaimDailyRewardAsync(string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        MutateAsync(new Envelope { ClaimDailyReward = new ClaimDailyRewardRequest { ClientRequestId = clientRequestId ?? NewClientRequestId() } }, cancellationToken);

    /// <summary>
    /// Queues this session's player for <paramref name="gameMode"/> (a game mode id of the game config) as a solo ticket.
    /// Later changes of the ticket arrive as <see cref="MatchmakingUpdateEvent"/>s (see <see cref="WaitForMatchmakingUpdateAsync"/>).
    /// </summary>
    /// <param name="gameMode">Game mode id.</param>
    /// <param name="latencyMs">Measured round-trip latency per region (e.g. <c>us-east-1</c> to 45), for latency rules; none when null.</param>
    /// <param name="clientRequestId">Idempotency key; a new one when null (a retry with the same id answers the same ticket).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.AlreadyQueued"/>, <see cref="ResultCode.InMatch"/>).</exception>
    public async Task<MatchmakingResponse> StartMatchmakingAsync(
        string gameMode, IReadOnlyDictionary<string, int>? latencyMs = null, string? clientRequestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gameMode);
        var request = new StartMatchmakingRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), GameMode = gameMode };
        foreach (var (region, latency) in latencyMs ?? new Dictionary<string, int>())
        {
            request.LatencyMs[region] = latency;
        }

        var reply = await SendAsync(new Envelope { StartMatchmaking = request }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Matchmaking).Matchmaking;
    }

    /// <summary>Cancels the player's ticket while it is queued, searching or waiting for acceptance.</summary>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.NotFound"/> or a ticket already placed).</exception>
    public async Task<MatchmakingResponse> CancelMatchmakingAsync(string ticketId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        var reply = await SendAsync(new Envelope { CancelMatchmaking = new CancelMatchmakingRequest { TicketId = ticketId } }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Matchmaking).Matchmaking;
    }

    /// <summary>Accepts (or, with <paramref name="accept"/> false, rejects) the proposed match of a ticket in <see cref="MatchmakingState.RequiresAcceptance"/>.</summary>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.FailedPrecondition"/>: no match to accept).</exception>
    public async Task<MatchmakingResponse> AcceptMatchAsync(string ticketId, bool accept, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        var reply = await SendAsync(new Envelope { AcceptMatch = new AcceptMatchRequest { TicketId = ticketId, Accept = accept } }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Matchmaking).Matchmaking;
    }

    /// <summary>The player's current ticket or match (e.g. after a reconnect); the response's status is null when there is none.</summary>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.NotAuthenticated"/>).</exception>
    public async Task<MatchmakingResponse> GetMatchmakingStatusAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new Envelope { GetMatchmakingStatus = new GetMatchmakingStatusRequest() }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Matchmaking).Matchmaking;
    }

    /// <summary>Reads a leaderboard.</summary>
    /// <param name="view">Top entries, the player and their neighbours, or the player and their friends.</param>
    /// <param name="count">How many entries (for <see cref="LeaderboardView.AroundMe"/>: above and below); the server bounds it.</param>
    /// <param name="leaderboard">Leaderboard id; null or empty: the global rating leaderboard of the current season.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="MetaServerRequestException">The server refused (e.g. <see cref="ResultCode.InvalidArgument"/> or <see cref="ResultCode.NotFound"/>).</exception>
    public async Task<LeaderboardResponse> GetLeaderboardAsync(
        LeaderboardView view = LeaderboardView.Top, int count = 10, string? leaderboard = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var request = new GetLeaderboardRequest { View = view, Count = count, Leaderboard = leaderboard ?? string.Empty };
        var reply = await SendAsync(new Envelope { GetLeaderboard = request }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Leaderboard).Leaderboard;
    }

    /// <summary>
    /// Redeems a real-money purchase: the server checks the proof at its store and grants the product's real-money offer
    /// once per purchase. Safe to retry with the same proof: the same account gets the original grant again
    /// (verdict ALREADY_REDEEMED), nothing twice.
    /// </summary>
    /// <param name="store">The store the purchase was made in.</param>
    /// <param name="receipt">App Store: the StoreKit 2 signed transaction (JWS). Google Play: the purchase token.</param>
    /// <param name="productId">Google Play: the product id (required). App Store: ignored.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The verdict (VALID_GRANTED or ALREADY_REDEEMED), the offer, what it granted and the updated account.</returns>
    /// <exception cref="MetaServerRequestException">
    /// Refused: <see cref="ResultCode.PurchaseRejected"/>, <see cref="ResultCode.PurchaseRedeemedByAnotherAccount"/>,
    /// <see cref="ResultCode.PurchaseRefunded"/>, <see cref="ResultCode.UnknownProduct"/>,
    /// <see cref="ResultCode.PurchaseAccountMismatch"/>, <see cref="ResultCode.FailedPrecondition"/> (no room for the
    /// grant yet), or <see cref="ResultCode.Unavailable"/> (the store can't be reached or is not configured: retry later).
    /// </exception>
    public async Task<RedeemPurchaseResponse> RedeemPurchaseAsync(PurchaseStore store, string receipt, string? productId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(receipt);
        var request = new RedeemPurchaseRequest { Store = store, Receipt = receipt, ProductId = productId ?? string.Empty };
        var reply = await SendAsync(new Envelope { RedeemPurchase = request }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Redemption).Redemption;
    }

    /// <summary>The status of the last <see cref="MatchmakingUpdateEvent"/> the server pushed, if any (it is also delivered in <see cref="Events"/>).</summary>
    public MatchmakingStatus? LastMatchmakingUpdate => Volatile.Read(ref _lastMatchmakingUpdate);

    /// <summary>
    /// Reads <see cref="Events"/> until a <see cref="MatchmakingUpdateEvent"/> arrives whose status satisfies
    /// <paramref name="until"/> (any update when null) and returns that status. Events read on the way (other kinds,
    /// and updates not satisfying <paramref name="until"/>) are consumed: read <see cref="Events"/> yourself when you
    /// need every event.
    /// </summary>
    /// <exception cref="MetaServerConnectionClosedException">The connection closed before such an update.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task<MatchmakingStatus> WaitForMatchmakingUpdateAsync(Func<MatchmakingStatus, bool>? until = null, CancellationToken cancellationToken = default)
    {
        while (await _events.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_events.Reader.TryRead(out var envelope))
            {
                if (envelope.PayloadCase == Envelope.PayloadOneofCase.MatchmakingUpdate
                    && envelope.MatchmakingUpdate.Status is { } status
                    && (until is null || until(status)))
                {
                    return status;
                }
            }
        }

        throw CreateClosedException(null);
    }

    private async Task<AccountResponse> MutateAsync(Envelope request, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(request, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.Account).Account;
    }

    /// <summary>
    /// Sends arbitrary bytes as one WebSocket message (or a fragment when <paramref name="endOfMessage"/> is false),
    /// bypassing request tracking. Meant for testing how the server handles malformed input; any reply or event
    /// the server sends with request id 0 arrives in <see cref="Events"/>.
    /// </summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType messageType, CancellationToken cancellationToken = default, bool endOfMessage = true)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfClosed();
        await SendFrameAsync(payload, messageType, endOfMessage, cancellationToken);
    }

    /// <summary>
    /// Starts the close handshake and waits until the server acknowledges it (or <see cref="MetaServerClientOptions.CloseTimeout"/>
    /// passes, then the connection is aborted). Pending requests fail with <see cref="MetaServerConnectionClosedException"/>.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? description = null, CancellationToken cancellationToken = default)
    {
        if (_completion.Task.IsCompleted)
        {
            return;
        }

        try
        {
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(status, description, cancellationToken);
                }
            }
            finally
            {
                _sendLock.Release();
            }

            await _completion.Task.WaitAsync(_options.CloseTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or ObjectDisposedException)
        {
            _lifetime.Cancel();
            await _completion.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Closes the connection gracefully (bounded by <see cref="MetaServerClientOptions.CloseTimeout"/>) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout);
            await CloseAsync(WebSocketCloseStatus.NormalClosure, "client closing", timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Close handshake did not finish in time; the connection is aborted below.
        }

        _lifetime.Cancel();
        await _receiveLoop;
        _socket.Dispose();
        _lifetime.Dispose();
    }

    private ulong NextRequestId()
    {
        while (true)
        {
            var id = (ulong)Interlocked.Increment(ref _nextRequestId);
            if (id != 0 && !_pending.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private async Task SendFrameAsync(ReadOnlyMemory<byte> payload, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(payload, messageType, endOfMessage, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            throw CreateClosedException(ex);
        }
        catch (InvalidOperationException ex) when (_socket.State != WebSocketState.Open)
        {
            throw CreateClosedException(ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        var length = 0;
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxMessageBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), _lifetime.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await AcknowledgeCloseAsync();
                    break;
                }

                length += result.Count;
                if (length > _options.MaxMessageBytes)
                {
                    await CloseOutputQuietlyAsync(WebSocketCloseStatus.MessageTooBig, "message too big");
                    failure = new MetaServerProtocolException($"The server sent a message larger than {_options.MaxMessageBytes} bytes.");
                    break;
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType != WebSocketMessageType.Binary)
                {
                    await CloseOutputQuietlyAsync(WebSocketCloseStatus.InvalidMessageType, "binary frames only");
                    failure = new MetaServerProtocolException("The server sent a text frame; the protocol uses binary frames only.");
                    break;
                }

                Envelope envelope;
                try
                {
                    envelope = Envelope.Parser.ParseFrom(buffer, 0, length);
                }
                catch (InvalidProtocolBufferException ex)
                {
                    await CloseOutputQuietlyAsync(WebSocketCloseStatus.InvalidPayloadData, "malformed envelope");
                    failure = new MetaServerProtocolException("The server sent a malformed envelope.", ex);
                    break;
                }

                length = 0;
                Dispatch(envelope);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            failure = new ObjectDisposedException(nameof(MetaServerClient), "The client was disposed.");
        }
        catch (Exception ex)
        {
            // Whatever ended the loop (usually WebSocketException: the connection dropped), it is reported to
            // pending and later requests through MetaServerConnectionClosedException, never left unobserved.
            failure = ex;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Shutdown(failure);
        }
    }

    private void Dispatch(Envelope envelope)
    {
        if (envelope.RequestId == 0)
        {
            if (envelope.PayloadCase == Envelope.PayloadOneofCase.Disconnect)
            {
                Volatile.Write(ref _disconnect, envelope.Disconnect);
            }
            else if (envelope.PayloadCase == Envelope.PayloadOneofCase.MatchmakingUpdate && envelope.MatchmakingUpdate.Status is { } status)
            {
                Volatile.Write(ref _lastMatchmakingUpdate, status);
            }

            _events.Writer.TryWrite(envelope);
            return;
        }

        if (_pending.TryRemove(envelope.RequestId, out var pending))
        {
            pending.TrySetResult(envelope);
        }
        else
        {
            Interlocked.Increment(ref _unmatchedReplies);
        }
    }

    private async Task AcknowledgeCloseAsync()
    {
        if (_socket.State == WebSocketState.CloseReceived)
        {
            await CloseOutputQuietlyAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, _socket.CloseStatusDescription);
        }
    }

    private async Task CloseOutputQuietlyAsync(WebSocketCloseStatus status, string? description)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
            timeout.CancelAfter(_options.CloseTimeout);
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(status, description, timeout.Token);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The peer is gone already; nothing more to tell it.
        }
    }

    private void Shutdown(Exception? failure)
    {
        CloseStatus = _socket.CloseStatus;
        CloseStatusDescription = _socket.CloseStatusDescription;
        string message;
        if (CloseStatus is { } status)
        {
            message = string.IsNullOrEmpty(CloseStatusDescription)
                ? $"The connection is closed ({status})."
                : $"The connection is closed ({status}: {CloseStatusDescription}).";
        }
        else if (failure is ObjectDisposedException)
        {
            message = "The client was disposed.";
        }
        else
        {
            message = failure is null ? "The connection is closed." : $"The connection was lost: {failure.Message}";
        }

        _closedCause = failure;
        Volatile.Write(ref _closedMessage, message);

        foreach (var entry in _pending)
        {
            if (_pending.TryRemove(entry))
            {
                entry.Value.TrySetException(CreateClosedException(null));
            }
        }

        _events.Writer.TryComplete();
        _completion.TrySetResult();
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closedMessage) is not null)
        {
            throw CreateClosedException(null);
        }
    }

    private MetaServerConnectionClosedException CreateClosedException(Exception? inner)
    {
        var message = Volatile.Read(ref _closedMessage) ?? "The connection is closed.";
        return new MetaServerConnectionClosedException(message, CloseStatus ?? _socket.CloseStatus, CloseStatusDescription ?? _socket.CloseStatusDescription, inner ?? _closedCause);
    }

    private static Envelope ExpectOk(Envelope reply, Envelope.PayloadOneofCase expected)
    {
        var code = reply.Result?.Code ?? ResultCode.Ok;
        if (code != ResultCode.Ok)
        {
            throw new MetaServerRequestException(code, reply.Result!.Message, reply.RequestId);
        }

        if (reply.PayloadCase != expected)
        {
            throw new MetaServerProtocolException($"Reply to request {reply.RequestId} carries {reply.PayloadCase}, expected {expected}.");
        }

        return reply;
    }
}
