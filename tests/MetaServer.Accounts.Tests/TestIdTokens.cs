using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetaServer.Accounts.Identity;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// Fixed-for-the-run provider signing keys (an RSA and a P-256 key generated here), their JWKS in a temp file, and
/// id tokens signed with System.Security.Cryptography, so the verifier is tested against real signatures offline.
/// </summary>
internal sealed class TestIdTokens : IDisposable
{
    public const string AppleAudience = "com.example.game";
    public const string GoogleAudience = "1234-example.apps.googleusercontent.com";
    public const string RsaKeyId = "test-rsa-1";
    public const string EcKeyId = "test-ec-1";

    private readonly TempDirectory _directory = new();

    public TestIdTokens()
    {
        JwksPath = Path.Combine(_directory.Path, "jwks.json");
        WriteJwks(includeSecondRsa: false);
    }

    public RSA Rsa { get; } = RSA.Create(2048);

    public RSA SecondRsa { get; } = RSA.Create(2048);

    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string JwksPath { get; }

    /// <summary>Provider options with Apple and Google enabled on the JWKS file.</summary>
    public IdentityProvidersOptions Options() => new()
    {
        Apple = new IdentityProviderOptions { Enabled = true, Audiences = [AppleAudience], JwksFile = JwksPath },
        Google = new IdentityProviderOptions { Enabled = true, Audiences = [GoogleAudience], JwksFile = JwksPath },
        ClockSkew = TimeSpan.FromMinutes(1),
    };

    /// <summary>Rewrites the JWKS file, with a second RSA key "test-rsa-2" when asked (key rotation).</summary>
    public void WriteJwks(bool includeSecondRsa) => File.WriteAllText(JwksPath, JwksJson(includeSecondRsa));

    /// <summary>The JWKS document of the test keys, with the second RSA key "test-rsa-2" when asked.</summary>
    public string JwksJson(bool includeSecondRsa)
    {
        var keys = new List<Dictionary<string, string>> { RsaJwk(Rsa, RsaKeyId), EcJwk() };
        if (includeSecondRsa)
        {
            keys.Add(RsaJwk(SecondRsa, "test-rsa-2"));
        }

        return JsonSerializer.Serialize(new { keys });
    }

    /// <summary>A Google-shaped token: iss accounts.google.com, aud the Google client id, valid for an hour from <paramref name="now"/>.</summary>
    public string Google(DateTimeOffset now, string subject = "google-sub-1", string? issuer = null, string? audience = null, long? expiresAt = null, string alg = "RS256", string kid = RsaKeyId, RSA? rsa = null) =>
        Sign(alg, kid, Claims(issuer ?? "https://accounts.google.com", audience ?? GoogleAudience, subject, now, expiresAt), rsa);

    public string Apple(DateTimeOffset now, string subject = "apple-sub-1", string alg = "ES256", string kid = EcKeyId) =>
        Sign(alg, kid, Claims("https://appleid.apple.com", AppleAudience, subject, now, null), null);

    public string Sign(string alg, string kid, Dictionary<string, object> claims, RSA? rsa = null)
    {
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = alg, ["kid"] = kid, ["typ"] = "JWT" }));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var input = Encoding.ASCII.GetBytes(header + "." + payload);
        var signature = alg switch
        {
            "RS256" => (rsa ?? Rsa).SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "ES256" => Ec.SignData(input, HashAlgorithmName.SHA256),
            "HS256" => HMACSHA256.HashData(Encoding.ASCII.GetBytes("not-a-provider-secret-at-all-32b"), input),
            _ => [],
        };
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    public static Dictionary<string, object> Claims(string issuer, string audience, string subject, DateTimeOffset now, long? expiresAt) => new()
    {
        ["iss"] = issuer,
        ["aud"] = audience,
        ["sub"] = subject,
        ["iat"] = now.ToUnixTimeSeconds(),
        ["exp"] = expiresAt ?? now.AddHours(1).ToUnixTimeSeconds(),
    };

    public void Dispose()
    {
        Rsa.Dispose();
        SecondRsa.Dispose();
        Ec.Dispose();
        _directory.Dispose();
    }

    private static Dictionary<string, string> RsaJwk(RSA rsa, string kid)
    {
        var p = rsa.ExportParameters(false);
        return new() { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["alg"] = "RS256", ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) };
    }

    private Dictionary<string, string> EcJwk()
    {
        var p = Ec.ExportParameters(false);
        return new() { ["kty"] = "EC", ["kid"] = EcKeyId, ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) };
    }
}
