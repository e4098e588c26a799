namespace MetaServer.Protocol;

/// <summary>The friends service's message types.</summary>
public static partial class MessageTypes
{
    // Routed client requests (payload: the client request message itself).
    public const string FriendsSendRequest = "friends.send-request";
    public const string FriendsAcceptRequest = "friends.accept-request";
    public const string FriendsDeclineRequest = "friends.decline-request";
    public const string FriendsCancelRequest = "friends.cancel-request";
    public const string FriendsRemove = "friends.remove";
    public const string FriendsBlock = "friends.block";
    public const string FriendsUnblock = "friends.unblock";
    public const string FriendsList = "friends.list";
    public const string FriendsGetCode = "friends.get-code";

    /// <summary>Internal: the matches service reports a player's activity (payload: <c>PlayerActivityNotice</c>).</summary>
    public const string FriendsPlayerActivity = "friends.player-activity";

    /// <summary>Internal: a frontend reports a session authenticated or closed (payload: <c>PlayerSessionNotice</c>).</summary>
    public const string FriendsPlayerSession = "friends.player-session";
}
