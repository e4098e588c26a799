using System.Security.Cryptography;
using System.Text;

namespace MetaServer.Testing;

/// <summary>
/// SigV4 recomputed by the tests from the spec, with the BCL only (canonical request, string to sign, derived key,
/// HMAC), to check what an AWS client signed against what a <see cref="LoopbackHttpServer"/> received.
/// </summary>
public static class SigV4Reference
{
    /// <summary>The signature of a POST to <c>/</c> with no query, over <paramref name="signedHeaders"/> (<c>a;b;c</c>).</summary>
    public static string Signature(CapturedRequest request, string secret, string region, string service, string signedHeaders)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signedHeaders);
        var amzDate = request.Header("x-amz-date");
        var date = amzDate[..8];
        var canonicalHeaders = string.Concat(signedHeaders.Split(';').Select(h => $"{h}:{request.Header(h).Trim()}\n"));
        var canonicalRequest = $"POST\n/\n\n{canonicalHeaders}\n{signedHeaders}\n{Convert.ToHexStringLower(SHA256.HashData(request.Body))}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }
}
