using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MetaServer.Payments.Verification;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.AppStore;

/// <summary>The outcome of checking one App Store JWS: a verdict, a detail (never a secret) and, when valid, the payload.</summary>
public sealed record AppStoreJwsResult(VerificationVerdict Verdict, string Detail, JsonElement Payload, DateTimeOffset SignedAt)
{
    public bool IsValid => Verdict == VerificationVerdict.Valid;

    internal static AppStoreJwsResult Reject(VerificationVerdict verdict, string detail) => new(verdict, detail, default, default);
}

/// <summary>
/// Checks an App Store JWS (compact serialization) locally, the way Apple documents it for StoreKit 2 transactions and
/// App Store Server Notifications v2:
/// <list type="number">
/// <item>header <c>alg</c> is <c>ES256</c> (anything else, including <c>none</c>, HS256 and RS256, is refused);</item>
/// <item><c>x5c</c> holds exactly three base64 DER certificates: leaf, intermediate, root;</item>
/// <item>the root is byte for byte the configured root (Apple Root CA G3 in production);</item>
/// <item>the chain leaf → intermediate → root builds with <see cref="X509ChainTrustMode.CustomRootTrust"/> at the
/// payload's <c>signedDate</c> (so a certificate expired or not yet valid then is refused), revocation not checked;</item>
/// <item>the leaf carries the extension 1.2.840.113635.100.6.11.1 and the intermediate 1.2.840.113635.100.6.2.1;</item>
/// <item>the ES256 signature (raw r||s) over <c>header.payload</c> verifies with the leaf's key.</item>
/// </list>
/// Revocation is not checked: Apple's JWS carries no stapled status and an online OCSP/CRL call per purchase would make
/// every redemption depend on Apple's responders; the signed date pins the check to when Apple signed. A studio that
/// wants it can check the leaf's OCSP status out of band (or rotate to a new root if Apple announces a compromise).
/// </summary>
public sealed class AppStoreJwsVerifier : IDisposable
{
    /// <summary>Apple's marker extension on the App Store signing (leaf) certificate.</summary>
    public const string LeafOid = "1.2.840.113635.100.6.11.1";

    /// <summary>Apple's marker extension on the Apple Worldwide Developer Relations intermediate.</summary>
    public const string IntermediateOid = "1.2.840.113635.100.6.2.1";

    private readonly X509Certificate2 _root;

    public AppStoreJwsVerifier(IOptions<AppStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _root = options.Value.LoadRootCertificate();
    }

    public void Dispose() => _root.Dispose();

    /// <summary>Checks the JWS; never throws for a bad input (that is a verdict).</summary>
    public AppStoreJwsResult Verify(string? jws)
    {
        if (string.IsNullOrWhiteSpace(jws))
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.Malformed, "empty signed data");
        }

        var parts = jws.Trim().Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.Malformed, "not a JWS in compact serialization");
        }

        if (!TryParseObject(parts[0], out var header))
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.Malformed, "the JWS header is not a base64url JSON object");
        }

        if (!TryParseObject(parts[1], out var payload))
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.Malformed, "the JWS payload is not a base64url JSON object");
        }

        if (!JwsBase64.TryDecode(parts[2], out var signature))
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.Malformed, "the JWS signature is not base64url");
        }

        if (!header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256")
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, "the JWS algorithm is not ES256");
        }

        if (!TryGetMillis(payload, "signedDate", out var signedAt))
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.Malformed, "the payload has no signedDate");
        }

        if (!header.TryGetProperty("x5c", out var x5c) || x5c.ValueKind != JsonValueKind.Array)
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, "the JWS header has no x5c certificate chain");
        }

        if (x5c.GetArrayLength() != 3)
        {
            return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, $"x5c holds {x5c.GetArrayLength()} certificates, expected 3 (leaf, intermediate, root)");
        }

        var certificates = new List<X509Certificate2>(3);
        try
        {
            foreach (var entry in x5c.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.String)
                {
                    return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, "an x5c entry is not a string");
                }

                try
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(entry.GetString()!)));
                }
                catch (Exception e) when (e is FormatException or CryptographicException)
                {
                    return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, "an x5c entry is not a base64 DER certificate");
                }
            }

            var chainFailure = CheckChain(certificates[0], certificates[1], certificates[2], signedAt);
            if (chainFailure is not null)
            {
                return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, chainFailure);
            }

            using var key = certificates[0].GetECDsaPublicKey();
            if (key is null || key.KeySize != 256)
            {
                return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, "the leaf certificate has no P-256 ECDSA key");
            }

            var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (signature.Length != 64
                || !key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return AppStoreJwsResult.Reject(VerificationVerdict.InvalidSignature, "the ES256 signature does not verify with the leaf certificate");
            }

            return new AppStoreJwsResult(VerificationVerdict.Valid, "verified", payload, signedAt);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private string? CheckChain(X509Certificate2 leaf, X509Certificate2 intermediate, X509Certificate2 root, DateTimeOffset signedAt)
    {
        if (!root.RawDataMemory.Span.SequenceEqual(_root.RawDataMemory.Span))
        {
            return "the x5c root is not the configured root certificate";
        }

        if (leaf.Extensions[LeafOid] is null)
        {
            return $"the leaf certificate lacks Apple's extension {LeafOid}";
        }

        if (intermediate.Extensions[IntermediateOid] is null)
        {
            return $"the intermediate certificate lacks Apple's extension {IntermediateOid}";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_root);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = signedAt.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        var built = chain.Build(leaf);
        try
        {
            if (!built)
            {
                var reasons = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                return $"the certificate chain does not verify at the signed date: {reasons}";
            }

            if (chain.ChainElements.Count != 3
                || !chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(intermediate.RawDataMemory.Span)
                || !chain.ChainElements[2].Certificate.RawDataMemory.Span.SequenceEqual(_root.RawDataMemory.Span))
            {
                return "the certificate chain is not leaf → x5c intermediate → configured root";
            }

            return null;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, leaf) && !ReferenceEquals(element.Certificate, _root) && !ReferenceEquals(element.Certificate, intermediate))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }

    private static bool TryParseObject(string segment, out JsonElement element)
    {
        element = default;
        if (!JwsBase64.TryDecode(segment, out var bytes))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads a UNIX time in milliseconds (Apple's date format) from a property.</summary>
    internal static bool TryGetMillis(JsonElement element, string name, out DateTimeOffset value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty(name, out var property)
            || property.ValueKind != JsonValueKind.Number
            || !property.TryGetInt64(out var millis)
            || millis < 0
            || millis > 253402300799999)
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeMilliseconds(millis);
        return true;
    }
}

/// <summary>base64url without padding (RFC 7515 §2).</summary>
internal static class JwsBase64
{
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
