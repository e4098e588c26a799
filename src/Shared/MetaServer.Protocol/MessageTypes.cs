namespace MetaServer.Protocol;

/// <summary>Names of the internal message types; each request type has its own queue.</summary>
public static class MessageTypes
{
    public const string AccountsLoginDevice = "accounts.login-device";
    public const string AccountsGetAccount = "accounts.get-account";
    public const string AccountsAccountResult = "accounts.account-result";
}
