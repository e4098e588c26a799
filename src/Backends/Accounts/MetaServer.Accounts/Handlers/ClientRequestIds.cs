using System.Security.Cryptography;
using System.Text;
using MetaServer.Accounts.Domain;

namespace MetaServer.Accounts.Handlers;

/// <summary>Rules for the client request ids mutating requests carry (the idempotency key of a client request).</summary>
public static class ClientRequestIds
{
    public const int MaxLength = 64;

    /// <summary>Null when valid: 1 to 64 characters of <c>A-Z a-z 0-9 . _ -</c> (a UUID fits); otherwise a plain reason.</summary>
    public static string? Validate(string? clientRequestId)
    {
        if (string.IsNullOrEmpty(clientRequestId))
        {
            return "The request has no client request id.";
        }

        if (clientRequestId.Length > MaxLength)
        {
            return $"The client request id is longer than {MaxLength} characters.";
        }

        foreach (var c in clientRequestId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return "The client request id may only contain letters, digits, '.', '_' and '-'.";
            }
        }

        return null;
    }

    /// <summary>Short hash of a request payload: the same key with a different payload is a different request.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload))[..16];

    /// <summary>
    /// Fingerprint of a link or unlink: the identity it names (kind and id), not the payload, so a retry that carries a
    /// refreshed provider token is still the same request. Only a short hash is stored.
    /// </summary>
    public static string Fingerprint(LinkedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return Fingerprint(Encoding.UTF8.GetBytes(identity.KindName + "\n" + identity.Id));
    }
}
