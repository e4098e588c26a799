using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetaServer.Payments.Service;

/// <summary>
/// How a purchase is bound to an account at the store. The client sets, when it starts a purchase, the App Store
/// <c>appAccountToken</c> (a UUID) or the Google Play <c>obfuscatedAccountId</c> to <see cref="TokenFor"/> of its
/// account id: the account id itself read as a UUID when it is one (account ids are 32 hex digits, so the token is the
/// same 128 bits in the 8-4-4-4-12 form), otherwise a name-based UUID (SHA-256 of <c>metaserver-account:</c> + the id,
/// version 8 / RFC 9562 variant bits). A binding matches when it equals that token (case-insensitive) or, for Google
/// Play, the plain account id. A purchase without a binding is accepted (the client set none).
/// </summary>
public static class AccountBindings
{
    /// <summary>The account's purchase binding token (a lowercase UUID, 8-4-4-4-12).</summary>
    public static string TokenFor(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        if (Guid.TryParseExact(accountId, "N", out var id) || Guid.TryParseExact(accountId, "D", out id))
        {
            return id.ToString("D", CultureInfo.InvariantCulture);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("metaserver-account:" + accountId));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D", CultureInfo.InvariantCulture);
    }

    /// <summary>True when <paramref name="binding"/> (the store's account binding) names <paramref name="accountId"/>.</summary>
    public static bool Matches(string binding, string accountId)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return string.Equals(binding.Trim(), TokenFor(accountId), StringComparison.OrdinalIgnoreCase)
            || string.Equals(binding.Trim(), accountId, StringComparison.Ordinal);
    }
}
