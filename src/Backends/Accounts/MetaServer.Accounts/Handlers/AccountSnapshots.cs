using MetaServer.Accounts.Domain;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Handlers;

public static class AccountSnapshots
{
    /// <summary>The client view of an account.</summary>
    public static AccountSnapshot ToSnapshot(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var snapshot = new AccountSnapshot
        {
            AccountId = account.AccountId,
            Nickname = account.Nickname,
            CreatedAtUnixMs = account.CreatedAt.ToUnixTimeMilliseconds(),
            LastLoginAtUnixMs = account.LastLoginAt?.ToUnixTimeMilliseconds() ?? 0,
            Revision = account.Revision,
        };
        snapshot.DeviceIds.AddRange(account.DeviceIds);
        snapshot.Identities.AddRange(account.Identities.Select(i => new AccountIdentity { Kind = IdentityIds.ToProto(i.Kind), Id = i.Id }));
        return snapshot;
    }
}
