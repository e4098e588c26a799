using System.Collections.Frozen;
using Google.Protobuf;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;

namespace MetaServer.Frontend;

/// <summary>
/// The routed client requests: authenticated requests the frontend forwards unchanged to their service's queue
/// (the request message itself is the queue payload, the session's account the player id). The service answers
/// with a <c>ClientReply</c>. Adding a routed request is one row here plus the service's handler.
/// </summary>
public static class ClientRoutes
{
    private static readonly FrozenDictionary<Envelope.PayloadOneofCase, string> Routes = new Dictionary<Envelope.PayloadOneofCase, string>
    {
        [Envelope.PayloadOneofCase.SetNickname] = MessageTypes.AccountsSetNickname,
        [Envelope.PayloadOneofCase.Link] = MessageTypes.AccountsLinkIdentity,
        [Envelope.PayloadOneofCase.Unlink] = MessageTypes.AccountsUnlinkIdentity,
        [Envelope.PayloadOneofCase.SetLoadout] = MessageTypes.AccountsSetLoadout,
        [Envelope.PayloadOneofCase.Purchase] = MessageTypes.AccountsPurchase,
        [Envelope.PayloadOneofCase.ClaimQuest] = MessageTypes.AccountsClaimQuest,
        [Envelope.PayloadOneofCase.ClaimDailyReward] = MessageTypes.AccountsClaimDailyReward,
        [Envelope.PayloadOneofCase.StartMatchmaking] = MessageTypes.MatchesStartMatchmaking,
        [Envelope.PayloadOneofCase.CancelMatchmaking] = MessageTypes.MatchesCancelMatchmaking,
        [Envelope.PayloadOneofCase.AcceptMatch] = MessageTypes.MatchesAcceptMatch,
        [Envelope.PayloadOneofCase.GetMatchmakingStatus] = MessageTypes.MatchesGetMatchmakingStatus,
        [Envelope.PayloadOneofCase.GetLeaderboard] = MessageTypes.MatchesGetLeaderboard,
        [Envelope.PayloadOneofCase.SendFriendRequest] = MessageTypes.FriendsSendRequest,
        [Envelope.PayloadOneofCase.AcceptFriendRequest] = MessageTypes.FriendsAcceptRequest,
        [Envelope.PayloadOneofCase.DeclineFriendRequest] = MessageTypes.FriendsDeclineRequest,
        [Envelope.PayloadOneofCase.CancelFriendRequest] = MessageTypes.FriendsCancelRequest,
        [Envelope.PayloadOneofCase.RemoveFriend] = MessageTypes.FriendsRemove,
        [Envelope.PayloadOneofCase.BlockPlayer] = MessageTypes.FriendsBlock,
        [Envelope.PayloadOneofCase.UnblockPlayer] = MessageTypes.FriendsUnblock,
        [Envelope.PayloadOneofCase.ListFriends] = MessageTypes.FriendsList,
        [Envelope.PayloadOneofCase.GetFriendCode] = MessageTypes.FriendsGetCode,
        [Envelope.PayloadOneofCase.RedeemPurchase] = MessageTypes.PaymentsRedeemPurchase,
    }.ToFrozenDictionary();

    /// <summary>The message type (and so the queue) of a routed request, or null when the payload is not one.</summary>
    public static string? MessageTypeOf(Envelope.PayloadOneofCase payload) => Routes.GetValueOrDefault(payload);

    /// <summary>Every routed payload case with its message type.</summary>
    public static IReadOnlyDictionary<Envelope.PayloadOneofCase, string> All => Routes;

    /// <summary>The request message inside <paramref name="request"/>'s payload.</summary>
    public static IMessage PayloadOf(Envelope request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var field = Envelope.Descriptor.FindFieldByNumber((int)request.PayloadCase)
            ?? throw new ArgumentException("The envelope has no payload.", nameof(request));
        return (IMessage)field.Accessor.GetValue(request);
    }
}
