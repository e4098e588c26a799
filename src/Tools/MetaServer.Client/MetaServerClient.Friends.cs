using MetaServer.Protocol.V1;

namespace MetaServer.Client;

/// <summary>Friends: requests, the friend list, friend codes and the friends events.</summary>
public sealed partial class MetaServerClient
{
    /// <summary>
    /// Asks the player <paramref name="accountId"/> to be friends (when they already asked you, this accepts).
    /// Errors (<see cref="MetaServerRequestException"/>): INVALID_ARGUMENT (yourself), NOT_FOUND, ALREADY_FRIENDS,
    /// FRIEND_REQUEST_PENDING, BLOCKED, FRIEND_LIMIT_REACHED.
    /// </summary>
    public Task<FriendActionResponse> SendFriendRequestAsync(string accountId, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { SendFriendRequest = new SendFriendRequestRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), AccountId = accountId } }, cancellationToken);

    /// <summary>Asks the owner of <paramref name="friendCode"/> to be friends (case and dashes do not matter).</summary>
    public Task<FriendActionResponse> SendFriendRequestByCodeAsync(string friendCode, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { SendFriendRequest = new SendFriendRequestRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), FriendCode = friendCode } }, cancellationToken);

    /// <summary>Accepts the pending request of <paramref name="accountId"/>.</summary>
    public Task<FriendActionResponse> AcceptFriendRequestAsync(string accountId, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { AcceptFriendRequest = new AcceptFriendRequestRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), AccountId = accountId } }, cancellationToken);

    /// <summary>Declines the pending request of <paramref name="accountId"/>.</summary>
    public Task<FriendActionResponse> DeclineFriendRequestAsync(string accountId, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { DeclineFriendRequest = new DeclineFriendRequestRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), AccountId = accountId } }, cancellationToken);

    /// <summary>Withdraws your pending request to <paramref name="accountId"/>.</summary>
    public Task<FriendActionResponse> CancelFriendRequestAsync(string accountId, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { CancelFriendRequest = new CancelFriendRequestRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), AccountId = accountId } }, cancellationToken);

    /// <summary>Ends the friendship with <paramref name="accountId"/>.</summary>
    public Task<FriendActionResponse> RemoveFriendAsync(string accountId, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { RemoveFriend = new RemoveFriendRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), AccountId = accountId } }, cancellationToken);

    /// <summary>Blocks <paramref name="accountId"/> (ends any friendship or pending request with them).</summary>
    public Task<FriendActionResponse> BlockPlayerAsync(string accountId, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { BlockPlayer = new BlockPlayerRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), AccountId = accountId } }, cancellationToken);

    /// <summary>Unblocks <paramref name="accountId"/>.</summary>
    public Task<FriendActionResponse> UnblockPlayerAsync(string accountId, string? clientRequestId = null, CancellationToken cancellationToken = default) =>
        FriendActionAsync(new Envelope { UnblockPlayer = new UnblockPlayerRequest { ClientRequestId = clientRequestId ?? NewClientRequestId(), AccountId = accountId } }, cancellationToken);

    /// <summary>Your friends (with presence), pending requests both ways, blocked players and your friend code (if allocated).</summary>
    public async Task<FriendListResponse> ListFriendsAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new Envelope { ListFriends = new ListFriendsRequest() }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.FriendList).FriendList;
    }

    /// <summary>Your friend code (allocated on first use).</summary>
    public async Task<string> GetFriendCodeAsync(CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(new Envelope { GetFriendCode = new GetFriendCodeRequest() }, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.FriendCode).FriendCode.FriendCode;
    }

    /// <summary>
    /// Reads <see cref="Events"/> until a friends event (request received, accepted, removed, presence) arrives that
    /// satisfies <paramref name="until"/> (any friends event when null) and returns it. Events read on the way are consumed.
    /// </summary>
    /// <exception cref="MetaServerConnectionClosedException">The connection closed before such an event.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task<Envelope> WaitForFriendEventAsync(Func<Envelope, bool>? until = null, CancellationToken cancellationToken = default)
    {
        while (await _events.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_events.Reader.TryRead(out var envelope))
            {
                if (envelope.PayloadCase is Envelope.PayloadOneofCase.FriendRequestReceived or Envelope.PayloadOneofCase.FriendRequestAccepted
                        or Envelope.PayloadOneofCase.FriendRemoved or Envelope.PayloadOneofCase.FriendPresence
                    && (until is null || until(envelope)))
                {
                    return envelope;
                }
            }
        }

        throw CreateClosedException(null);
    }

    private async Task<FriendActionResponse> FriendActionAsync(Envelope request, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(request, cancellationToken);
        return ExpectOk(reply, Envelope.PayloadOneofCase.FriendAction).FriendAction;
    }
}
