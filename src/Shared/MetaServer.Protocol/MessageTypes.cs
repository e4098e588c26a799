namespace MetaServer.Protocol;

/// <summary>Names of the internal message types; each request type has its own queue.</summary>
public static partial class MessageTypes
{
    public const string AccountsLoginDevice = "accounts.login-device";
    public const string AccountsGetAccount = "accounts.get-account";
    public const string AccountsAccountResult = "accounts.account-result";
    public const string AccountsSetNickname = "accounts.set-nickname";
    public const string AccountsLoginCustom = "accounts.login-custom";
    public const string AccountsLoginProvider = "accounts.login-provider";
    public const string AccountsLinkIdentity = "accounts.link-identity";
    public const string AccountsUnlinkIdentity = "accounts.unlink-identity";
    public const string AccountsBanAccount = "accounts.ban-account";
    public const string AccountsUnbanAccount = "accounts.unban-account";
    public const string AccountsSetLoadout = "accounts.set-loadout";
    public const string AccountsPurchase = "accounts.purchase";
    public const string AccountsClaimQuest = "accounts.claim-quest";
    public const string AccountsClaimDailyReward = "accounts.claim-daily-reward";

    /// <summary>Internal (no client route): the matches service applies one player's match result (payload: <c>ApplyMatchResultCommand</c>).</summary>
    public const string AccountsApplyMatchResult = "accounts.apply-match-result";

    // Matches service. Routed client requests (payload: the client request message itself).
    public const string MatchesStartMatchmaking = "matches.start-matchmaking";
    public const string MatchesCancelMatchmaking = "matches.cancel-matchmaking";
    public const string MatchesAcceptMatch = "matches.accept-match";
    public const string MatchesGetMatchmakingStatus = "matches.get-matchmaking-status";
    public const string MatchesGetLeaderboard = "matches.get-leaderboard";

    /// <summary>Internal: the party service queues a party as one ticket (payload: <c>StartPartyMatchmakingCommand</c>).</summary>
    public const string MatchesStartPartyMatchmaking = "matches.start-party-matchmaking";

    /// <summary>Internal: a frontend reports a closed authenticated session (payload: <c>PlayerDisconnectedNotice</c>).</summary>
    public const string MatchesPlayerDisconnected = "matches.player-disconnected";

    /// <summary>
    /// FlexMatch matchmaking events. The queue carries raw event JSON, not queue envelopes: an SNS notification (GameLift)
    /// or the event itself (the offline engine, SNS raw delivery).
    /// </summary>
    public const string MatchesMatchmakingEvent = "matches.matchmaking-event";

    /// <summary>The shared results queue game servers post to (payload: <c>GameServerReport</c>).</summary>
    public const string MatchesGameServerReport = "matches.game-server-report";

    /// <summary>The single message on a per-match queue (payload: <c>GameServerMatch</c>); see <c>QueueNames.ForMatch</c>.</summary>
    public const string GameServerMatch = "gameserver.match";

    /// <summary>The shared queue idle game servers take matches from (payload: <c>GameServerPlacement</c>).</summary>
    public const string GameServerPlacement = "gameserver.placement";

    /// <summary>A service's answer to a routed client request (payload: <c>ClientReply</c>).</summary>
    public const string FrontendClientReply = "frontend.client-reply";
}
