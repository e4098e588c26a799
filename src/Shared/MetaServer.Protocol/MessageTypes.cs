namespace MetaServer.Protocol;

/// <summary>Names of the internal message types; each request type has its own queue.</summary>
public static class MessageTypes
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

    /// <summary>A service's answer to a routed client request (payload: <c>ClientReply</c>).</summary>
    public const string FrontendClientReply = "frontend.client-reply";
}
