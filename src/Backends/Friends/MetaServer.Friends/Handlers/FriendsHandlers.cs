using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using MetaServer.Accounts.Handlers;
using MetaServer.Friends.Service;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;

namespace MetaServer.Friends.Handlers;

/// <summary>Decoding, checks and answers shared by the routed friends handlers.</summary>
internal static partial class FriendsReplies
{
    public static bool TryParse<T>(IncomingMessage message, MessageParser<T> parser, TimeProvider timeProvider, ILogger logger,
        [NotNullWhen(true)] out T? payload, out string accountId, out IReadOnlyList<OutgoingMessage> error)
        where T : class, IMessage<T>
    {
        accountId = message.Envelope.PlayerId ?? string.Empty;
        try
        {
            payload = parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodable(logger, message.Envelope.MessageType, message.Envelope.MessageId);
            payload = null;
            error = ClientReplies.Error(message, ResultCode.InvalidArgument, "The request could not be decoded.", timeProvider);
            return false;
        }

        if (!IsAccountId(accountId))
        {
            payload = null;
            error = ClientReplies.Error(message, ResultCode.NotAuthenticated, "The request needs a logged-in account.", timeProvider);
            return false;
        }

        error = [];
        return true;
    }

    public static bool IsAccountId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= Math.Min(StorageIds.MaxLength, GetAccountHandler.MaxAccountIdLength) && !id.Any(char.IsControl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} message {MessageId} has a payload that does not decode")]
    public static partial void LogUndecodable(ILogger logger, string messageType, string messageId);
}

/// <summary>Runs a relation change for a checked request and answers it (plus the pushes to the other player).</summary>
internal sealed class FriendChangeRunner(FriendsFlow flow, FriendAccounts accounts, FriendPresenceReader presence, FriendPushes pushes, TimeProvider timeProvider)
{
    public async Task<IReadOnlyList<OutgoingMessage>> RunAsync(
        IncomingMessage message, FriendOp op, string accountId, string clientRequestId, string otherId, CancellationToken cancellationToken)
    {
        if (ClientRequestIds.Validate(clientRequestId) is { } invalid)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
        }

        if (!FriendsReplies.IsAccountId(otherId))
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, "The request names no valid account id.", timeProvider);
        }

        if (string.Equals(otherId, accountId, StringComparison.Ordinal))
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, "You cannot do that with yourself.", timeProvider);
        }

        // Only new relations need the other account to exist; removing what is listed must work even for deleted accounts.
        if (op is FriendOp.Send or FriendOp.Block && !await accounts.ExistsAsync(otherId, cancellationToken))
        {
            return ClientReplies.Error(message, ResultCode.NotFound, "There is no player with this account id.", timeProvider);
        }

        var opId = $"{op}:{clientRequestId}:{otherId}";
        var outcome = await flow.ApplyAsync(op, accountId, otherId, opId, cancellationToken);
        if (outcome.Code != ResultCode.Ok)
        {
            return ClientReplies.Error(message, outcome.Code, outcome.Message, timeProvider);
        }

        var replies = new List<OutgoingMessage>(ClientReplies.Ok(
            message, new Envelope { FriendAction = new FriendActionResponse { AccountId = otherId, Relation = outcome.Relation } }, timeProvider));
        if (outcome.Events.Count > 0)
        {
            await DescribeActorAsync(accountId, outcome.Events, cancellationToken);
            replies.AddRange(await pushes.ToAsync(outcome.Events, cancellationToken));
        }

        return replies;
    }

    /// <summary>Fills the actor's nickname and level (and, to a new friend, presence) into the entries the events carry.</summary>
    private async Task DescribeActorAsync(string accountId, IReadOnlyList<(string Recipient, Envelope Event)> events, CancellationToken cancellationToken)
    {
        var entries = events.Select(e => e.Event.FriendRequestReceived?.From ?? e.Event.FriendRequestAccepted?.Friend).OfType<FriendEntry>().ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var summary = (await accounts.SummariesAsync([accountId], cancellationToken)).GetValueOrDefault(accountId);
        var accepted = events.Any(e => e.Event.FriendRequestAccepted is not null);
        var myPresence = accepted ? (await presence.ReadAsync([accountId], cancellationToken)).Presence[accountId] : FriendPresence.Unspecified;
        foreach (var entry in entries)
        {
            entry.Nickname = summary?.Nickname ?? string.Empty;
            entry.Level = summary?.Level ?? 0;
        }

        foreach (var (_, e) in events)
        {
            if (e.FriendRequestAccepted?.Friend is { } friend)
            {
                friend.Presence = myPresence;
            }
        }
    }
}

/// <summary><c>friends.send-request</c>: asks a player (by account id or friend code) to be friends.</summary>
internal sealed class SendFriendRequestHandler(FriendChangeRunner runner, FriendCodes codes, TimeProvider timeProvider, ILogger<SendFriendRequestHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.FriendsSendRequest;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!FriendsReplies.TryParse(message, SendFriendRequestRequest.Parser, timeProvider, logger, out var request, out var accountId, out var error))
        {
            return error;
        }

        string otherId;
        switch (request.TargetCase)
        {
            case SendFriendRequestRequest.TargetOneofCase.AccountId:
                otherId = request.AccountId;
                break;
            case SendFriendRequestRequest.TargetOneofCase.FriendCode:
                if (FriendCodes.Normalize(request.FriendCode) is not { } code)
                {
                    return ClientReplies.Error(message, ResultCode.InvalidArgument, $"A friend code is {FriendCodes.Length} letters and digits.", timeProvider);
                }

                if (await codes.ResolveAsync(code, cancellationToken) is not { } owner)
                {
                    return ClientReplies.Error(message, ResultCode.NotFound, "No player has this friend code.", timeProvider);
                }

                otherId = owner;
                break;
            default:
                return ClientReplies.Error(message, ResultCode.InvalidArgument, "The request names no player (account id or friend code).", timeProvider);
        }

        return await runner.RunAsync(message, FriendOp.Send, accountId, request.ClientRequestId, otherId, cancellationToken);
    }
}

/// <summary>A routed change naming the other player by account id (accept, decline, cancel, remove, block, unblock).</summary>
internal abstract class FriendChangeHandler<TRequest>(FriendChangeRunner runner, TimeProvider timeProvider, ILogger logger) : IMessageHandler
    where TRequest : class, IMessage<TRequest>, new()
{
    private static readonly MessageParser<TRequest> Parser = new(() => new TRequest());

    public abstract string MessageType { get; }

    protected abstract FriendOp Op { get; }

    protected abstract (string ClientRequestId, string AccountId) Target(TRequest request);

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!FriendsReplies.TryParse(message, Parser, timeProvider, logger, out var request, out var accountId, out var error))
        {
            return error;
        }

        var (clientRequestId, otherId) = Target(request);
        return await runner.RunAsync(message, Op, accountId, clientRequestId, otherId, cancellationToken);
    }
}

internal sealed class AcceptFriendRequestHandler(FriendChangeRunner runner, TimeProvider timeProvider, ILogger<AcceptFriendRequestHandler> logger)
    : FriendChangeHandler<AcceptFriendRequestRequest>(runner, timeProvider, logger)
{
    public override string MessageType => MessageTypes.FriendsAcceptRequest;

    protected override FriendOp Op => FriendOp.Accept;

    protected override (string, string) Target(AcceptFriendRequestRequest request) => (request.ClientRequestId, request.AccountId);
}

internal sealed class DeclineFriendRequestHandler(FriendChangeRunner runner, TimeProvider timeProvider, ILogger<DeclineFriendRequestHandler> logger)
    : FriendChangeHandler<DeclineFriendRequestRequest>(runner, timeProvider, logger)
{
    public override string MessageType => MessageTypes.FriendsDeclineRequest;

    protected override FriendOp Op => FriendOp.Decline;

    protected override (string, string) Target(DeclineFriendRequestRequest request) => (request.ClientRequestId, request.AccountId);
}

internal sealed class CancelFriendRequestHandler(FriendChangeRunner runner, TimeProvider timeProvider, ILogger<CancelFriendRequestHandler> logger)
    : FriendChangeHandler<CancelFriendRequestRequest>(runner, timeProvider, logger)
{
    public override string MessageType => MessageTypes.FriendsCancelRequest;

    protected override FriendOp Op => FriendOp.Cancel;

    protected override (string, string) Target(CancelFriendRequestRequest request) => (request.ClientRequestId, request.AccountId);
}

internal sealed class RemoveFriendHandler(FriendChangeRunner runner, TimeProvider timeProvider, ILogger<RemoveFriendHandler> logger)
    : FriendChangeHandler<RemoveFriendRequest>(runner, timeProvider, logger)
{
    public override string MessageType => MessageTypes.FriendsRemove;

    protected override FriendOp Op => FriendOp.Remove;

    protected override (string, string) Target(RemoveFriendRequest request) => (request.ClientRequestId, request.AccountId);
}

internal sealed class BlockPlayerHandler(FriendChangeRunner runner, TimeProvider timeProvider, ILogger<BlockPlayerHandler> logger)
    : FriendChangeHandler<BlockPlayerRequest>(runner, timeProvider, logger)
{
    public override string MessageType => MessageTypes.FriendsBlock;

    protected override FriendOp Op => FriendOp.Block;

    protected override (string, string) Target(BlockPlayerRequest request) => (request.ClientRequestId, request.AccountId);
}

internal sealed class UnblockPlayerHandler(FriendChangeRunner runner, TimeProvider timeProvider, ILogger<UnblockPlayerHandler> logger)
    : FriendChangeHandler<UnblockPlayerRequest>(runner, timeProvider, logger)
{
    public override string MessageType => MessageTypes.FriendsUnblock;

    protected override FriendOp Op => FriendOp.Unblock;

    protected override (string, string) Target(UnblockPlayerRequest request) => (request.ClientRequestId, request.AccountId);
}

/// <summary><c>friends.list</c>: friends with presence, pending both ways and blocked players, in one answer.</summary>
internal sealed class ListFriendsHandler(FriendListing listing, TimeProvider timeProvider, ILogger<ListFriendsHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.FriendsList;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!FriendsReplies.TryParse(message, ListFriendsRequest.Parser, timeProvider, logger, out _, out var accountId, out var error))
        {
            return error;
        }

        return ClientReplies.Ok(message, new Envelope { FriendList = await listing.ListAsync(accountId, cancellationToken) }, timeProvider);
    }
}

/// <summary><c>friends.get-code</c>: the player's own friend code, allocated on first use.</summary>
internal sealed class GetFriendCodeHandler(FriendCodes codes, TimeProvider timeProvider, ILogger<GetFriendCodeHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.FriendsGetCode;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!FriendsReplies.TryParse(message, GetFriendCodeRequest.Parser, timeProvider, logger, out _, out var accountId, out var error))
        {
            return error;
        }

        var code = await codes.GetOrAllocateAsync(accountId, cancellationToken);
        return ClientReplies.Ok(message, new Envelope { FriendCode = new FriendCodeResponse { FriendCode = code } }, timeProvider);
    }
}

/// <summary><c>friends.player-session</c> (internal, from a frontend): tells the player's online friends they came online or went offline.</summary>
internal sealed partial class PlayerSessionHandler(PresenceNotifier notifier, ILogger<PlayerSessionHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.FriendsPlayerSession;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        PlayerSessionNotice notice;
        try
        {
            notice = PlayerSessionNotice.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogInvalid(message.Envelope.MessageId);
            return [];
        }

        if (!FriendsReplies.IsAccountId(notice.AccountId) || notice.SessionId.Length is 0 or > StorageIds.MaxLength)
        {
            LogInvalid(message.Envelope.MessageId);
            return [];
        }

        return await notifier.SessionAsync(notice, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "friends.player-session message {MessageId} is not a valid notice; dropped")]
    private partial void LogInvalid(string messageId);
}

/// <summary><c>friends.player-activity</c> (internal, from the matches service): stores the latest activity and tells online friends of a change.</summary>
internal sealed partial class PlayerActivityHandler(PresenceNotifier notifier, ILogger<PlayerActivityHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.FriendsPlayerActivity;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        PlayerActivityNotice notice;
        try
        {
            notice = PlayerActivityNotice.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogInvalid(message.Envelope.MessageId);
            return [];
        }

        if (!FriendsReplies.IsAccountId(notice.AccountId) || notice.Activity == PlayerActivity.Unspecified || notice.AtUnixMs <= 0)
        {
            LogInvalid(message.Envelope.MessageId);
            return [];
        }

        return await notifier.ActivityAsync(notice, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "friends.player-activity message {MessageId} is not a valid notice; dropped")]
    private partial void LogInvalid(string messageId);
}
