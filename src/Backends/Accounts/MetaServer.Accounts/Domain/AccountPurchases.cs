using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetaServer.Accounts.Domain;

/// <summary>Where a real-money purchase stands in the account.</summary>
public enum AccountPurchaseState
{
    /// <summary>Its grant was added to the account.</summary>
    Granted = 1,

    /// <summary>Refunded or revoked at the store: what it granted was taken back (or it was never granted, and never will be).</summary>
    Revoked = 2,
}

/// <summary>
/// A real-money purchase as the account records it, for good (not bounded like <see cref="Account.RecentMutations"/>):
/// this is what makes <c>accounts.grant-purchase</c> and <c>accounts.revoke-purchase</c> idempotent per transaction
/// key however late a redelivery comes. <see cref="Granted"/> is what the grant added, <see cref="Revoked"/> what a
/// clawback took back, <see cref="Shortfall"/> what it could not take back (spent currency under the FlagAccount
/// policy, items no longer held).
/// </summary>
public sealed record AccountPurchase(
    string OfferId,
    AccountPurchaseState State,
    Granted Granted,
    DateTimeOffset At,
    Granted Revoked,
    ImmutableDictionary<string, long> Shortfall,
    DateTimeOffset? RevokedAt);

/// <summary>The key of a purchase in <see cref="Account.Purchases"/>.</summary>
public static class AccountPurchaseKeys
{
    /// <summary>Longest transaction key kept as it is; longer ones (Google Play purchase tokens) are kept as their SHA-256.</summary>
    public const int MaxPlainKeyLength = 96;

    /// <summary><c>&lt;store&gt;:&lt;transaction key&gt;</c>, or <c>&lt;store&gt;:sha256:&lt;hex&gt;</c> for long keys.</summary>
    public static string Of(string store, string transactionKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentException.ThrowIfNullOrEmpty(transactionKey);
        if (transactionKey.Length <= MaxPlainKeyLength && transactionKey.All(c => c is > ' ' and <= '~'))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{store}:{transactionKey}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{store}:sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(transactionKey)))}");
    }
}
