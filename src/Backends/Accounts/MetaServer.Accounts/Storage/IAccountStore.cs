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
/// <para>
/// Identities generalise devices: every identity (device, custom id, Apple/Google account) has a claim item
/// <c>{kind, id -> account id, claimed at}</c> (DynamoDB <c>pk = "&lt;kind&gt;#&lt;id&gt;"</c>, devices keep
/// <c>device#</c>), and the account document lists it (<see cref="Account.DeviceIds"/> or
/// <see cref="Account.Identities"/>). The account document is the truth; the claim is the lock that keeps an identity
/// on one account. <see cref="CreateForIdentityAsync"/> follows the device order above.
/// </para>
/// <para>
/// Link (two single-item writes): 1. <see cref="ClaimIdentityAsync"/> puts the claim for the account (succeeds when
/// absent or already this account's); 2. the caller adds the identity to the account with
/// <see cref="TryUpdateAsync"/>. Unlink: 1. the caller removes it from the account; 2. <see cref="ReleaseIdentityAsync"/>
/// deletes the claim only if it still points at that account. Crash points and how they heal:
/// a claim whose account does not list the identity is a <em>dangling claim</em> (link crashed after 1, or unlink
/// crashed after 1). It never logs anyone in (<see cref="FindByIdentityAsync"/> returns only an account that lists
/// the identity). A retry of a link whose account write did not happen completes it (the claim is this account's, so
/// step 1 passes again). The handlers store a request's idempotency record in the same write as the account change, so
/// the retry of an unlink that crashed after its write is a replay and does not release: by then a later link of the
/// identity may hold the claim again. A new unlink request for the identity releases such a claim. If nobody does,
/// the claim becomes stale
/// after <see cref="IdentityClaims.StaleAfter"/> and the next claim or creation for the identity takes it over;
/// the grace period keeps an in-flight link of the owner safe. A claim whose account is missing is a half-finished
/// creation and stays its account's (the next login completes it). A young dangling claim refuses other writers:
/// <see cref="ClaimIdentityAsync"/> reports it as claimed by its account, <see cref="CreateForIdentityAsync"/> throws
/// <see cref="IdentityClaimBusyException"/> (the request is retried later).
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

    /// <summary>The account that lists <paramref name="identity"/> and holds its claim, or null.</summary>
    Task<Account?> FindByIdentityAsync(LinkedIdentity identity, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="CreateForDeviceAsync"/> for any identity kind: creates <paramref name="newAccount"/> (revision 1,
    /// listing <paramref name="identity"/>) unless the identity already has an account. A stale dangling claim is
    /// taken over; a young one throws <see cref="IdentityClaimBusyException"/>.
    /// </summary>
    Task<DeviceAccountResult> CreateForIdentityAsync(LinkedIdentity identity, Account newAccount, CancellationToken cancellationToken);

    /// <summary>
    /// Step 1 of a link: claims <paramref name="identity"/> for <paramref name="accountId"/>. Succeeds when the identity
    /// is unclaimed, already claimed for this account, or held by a stale dangling claim (taken over); otherwise
    /// returns the account id holding it.
    /// </summary>
    Task<IdentityClaimResult> ClaimIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken);

    /// <summary>Step 2 of an unlink: deletes the claim of <paramref name="identity"/> if it points at <paramref name="accountId"/>; else does nothing.</summary>
    Task ReleaseIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken);
}

/// <summary>Outcome of <see cref="IAccountStore.ClaimIdentityAsync"/>: claimed for the caller, or the account that holds it.</summary>
public sealed record IdentityClaimResult(bool Claimed, string? HeldByAccountId)
{
    public static IdentityClaimResult Success { get; } = new(true, null);

    public static IdentityClaimResult HeldBy(string accountId) => new(false, accountId);
}

/// <summary>Claim rules shared by the stores.</summary>
public static class IdentityClaims
{
    /// <summary>
    /// Age after which a dangling claim (its account does not list the identity) may be taken over. Far longer than
    /// any link or unlink takes between its two writes.
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);
}

/// <summary>The identity's claim is dangling and young (a link or unlink of its account may be in flight); retry later.</summary>
public sealed class IdentityClaimBusyException(string kind)
    : Exception($"The {kind} claim is held by an account that does not list it yet; retry later.");

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
