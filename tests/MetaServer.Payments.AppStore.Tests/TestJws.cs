using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace MetaServer.Payments.AppStore.Tests;

/// <summary>Builds signed App Store-shaped JWSs (transactions and notifications) for tests.</summary>
public static class TestJws
{
    public const string BundleId = "com.example.metaserver";
    public static readonly DateTimeOffset SignedAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset PurchasedAt = new(2026, 3, 1, 11, 59, 0, TimeSpan.Zero);

    public static Dictionary<string, object?> Transaction(
        string transactionId = "2000000123456789",
        string productId = "com.example.metaserver.gems.small",
        string bundleId = BundleId,
        string environment = "Production",
        int quantity = 1,
        string? appAccountToken = null,
        DateTimeOffset? revokedAt = null,
        DateTimeOffset? signedAt = null)
    {
        var payload = new Dictionary<string, object?>
        {
            ["transactionId"] = transactionId,
            ["originalTransactionId"] = transactionId,
            ["bundleId"] = bundleId,
            ["productId"] = productId,
            ["purchaseDate"] = PurchasedAt.ToUnixTimeMilliseconds(),
            ["originalPurchaseDate"] = PurchasedAt.ToUnixTimeMilliseconds(),
            ["quantity"] = quantity,
            ["type"] = "Consumable",
            ["inAppOwnershipType"] = "PURCHASED",
            ["signedDate"] = (signedAt ?? SignedAt).ToUnixTimeMilliseconds(),
            ["environment"] = environment,
            ["transactionReason"] = "PURCHASE",
            ["storefront"] = "USA",
            ["currency"] = "USD",
            ["price"] = 990,
        };
        if (appAccountToken is not null)
        {
            payload["appAccountToken"] = appAccountToken;
        }

        if (revokedAt is { } at)
        {
            payload["revocationDate"] = at.ToUnixTimeMilliseconds();
            payload["revocationReason"] = 0;
        }

        return payload;
    }

    public static Dictionary<string, object?> Notification(
        string type,
        string? signedTransactionInfo,
        string uuid = "002e14d5-51f5-4503-b5a8-c3a1af68eb20",
        string bundleId = BundleId,
        string environment = "Production",
        string? subtype = null) => new()
        {
            ["notificationType"] = type,
            ["subtype"] = subtype,
            ["notificationUUID"] = uuid,
            ["data"] = new Dictionary<string, object?>
            {
                ["appAppleId"] = 41234,
                ["bundleId"] = bundleId,
                ["bundleVersion"] = "1.2.3",
                ["environment"] = environment,
                ["signedTransactionInfo"] = signedTransactionInfo,
            },
            ["version"] = "2.0",
            ["signedDate"] = SignedAt.AddDays(3).ToUnixTimeMilliseconds(),
        };

    /// <summary>x5c [leaf, intermediate, root] of the given certificates.</summary>
    public static string[] Chain(params X509Certificate2[] certificates) => [.. certificates.Select(c => Convert.ToBase64String(c.RawData))];

    public static Dictionary<string, object?> Header(TestCertificates certificates, string alg = "ES256") => new()
    {
        ["alg"] = alg,
        ["x5c"] = Chain(certificates.Leaf, certificates.Intermediate, certificates.Root),
    };

    /// <summary>Signs with ES256 using <paramref name="signer"/>'s private key.</summary>
    public static string Sign(object header, object payload, X509Certificate2 signer)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        using var key = signer.GetECDsaPrivateKey()!;
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public static string Sign(TestCertificates certificates, object payload) => Sign(Header(certificates), payload, certificates.Leaf);

    public static string Encode(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));
}
