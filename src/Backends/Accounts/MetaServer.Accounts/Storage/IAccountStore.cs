using MetaServer.Accounts.Domain;

namespace MetaServer.Accounts.Storage;

/// <summary>
/// Where accounts live. Shaped so that a store without transactions can implement it with single-item
/// conditional writes only (DynamoDB: one item per account keyed by account id with a <c>revision</c>
/// attribute, one item per device id holding its account id).
/// <para>
/// Device creation order for such a store (<see cref="CreateForDeviceAsync"/>):
/// 1. claim the device: put the device item <c>{device id -> new account id}</c> only if it does not exist;
///    if that condition fails, read the device item and use the account id already claimed;
/// 2. put the account item only if it does not exist (revision 1);
///    if that condition fails, another writer created it: read and return it (<c>Created = false</c>).
/// A crash between 1 and 2 leaves a device item pointing at a missing account. That is not a corruption:
/// <see cref="FindByDeviceAsync"/> returns null for it, and the next <see cref="CreateForDeviceAsync"/> of the
/// device finds the claim and completes step 2 with the claimed account id, so the device still ends with one account.
/// </para>
/// All methods are safe to call concurrently. Exceptions mean "store unavailable or failed": callers let them
/// propagate so the request is retried.
/// </summary>
public interface IAccountStore
{
    /// <summary>The account, or null when it does not exist.</summary>
    Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>
    /// The accounts of many ids in one call (duplicates allowed, any number; the store splits into batches).
    /// Missing ids are absent from the result.
    /// </summary>
    Task<IReadOnlyDictionary<string, Account>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken);

    /// <summary>The account linked to a device, or null when the device has no account (or only a half-finished one).</summary>
    Task<Account?> FindByDeviceAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates <paramref name="newAccount"/> for <paramref name="deviceId"/> unless the device already has an
    /// account; concurrent calls for one device end with exactly one account and exactly one <c>Created = true</c>.
    /// When the device has a half-finished creation (claimed, account missing), the account is written with the
    /// claimed account id instead of <c>newAccount.AccountId</c>. <paramref name="newAccount"/> must have revision 1
    /// and list <paramref name="deviceId"/> in its device ids.
    /// </summary>
    Task<DeviceAccountResult> CreateForDeviceAsync(string deviceId, Account newAccount, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="account"/> as revision <paramref name="expectedRevision"/> + 1, only if the stored
    /// account is still at <paramref name="expectedRevision"/>; otherwise writes nothing and returns
    /// <see cref="AccountUpdateStatus.Conflict"/>. The revision of <paramref name="account"/> itself is ignored.
    /// Device links are not changed by an update.
    /// </summary>
    Task<AccountUpdateResult> TryUpdateAsync(Account account, long expectedRevision, CancellationToken cancellationToken);
}

/// <summary>Outcome of <see cref="IAccountStore.CreateForDeviceAsync"/>: the device's account and whether this call created it.</summary>
public sealed record DeviceAccountResult(Account Account, bool Created);

public enum AccountUpdateStatus
{
    /// <summary>The account was written; <see cref="AccountUpdateResult.Account"/> is the stored account.</summary>
    Updated = 0,

    /// <summary>The stored account is missing or at another revision; nothing was written. Reload and retry.</summary>
    Conflict = 1,
}

/// <summary>Outcome of <see cref="IAccountStore.TryUpdateAsync"/>.</summary>
public sealed record AccountUpdateResult(AccountUpdateStatus Status, Account? Account)
{
    public bool Succeeded => Status == AccountUpdateStatus.Updated;

    public static AccountUpdateResult Updated(Account stored) => new(AccountUpdateStatus.Updated, stored);

    public static AccountUpdateResult Conflict { get; } = new(AccountUpdateStatus.Conflict, null);
}
