using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace MetaServer.Aws;

/// <summary>
/// AWS Signature Version 4 for the AWS JSON protocols (POST, no query string). The canonical request is built
/// here; hashing, key derivation and the keyed hash are AWSSDK.Core's <see cref="AWS4Signer"/> helpers.
/// </summary>
public static class AwsSigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Adds <c>x-amz-date</c>, <c>x-amz-security-token</c> (if any) and <c>Authorization</c> to the request, with the
    /// credential scope <c>{date}/{region}/{service}/aws4_request</c>.
    /// </summary>
    public static void Sign(HttpRequestMessage request, byte[] body, ImmutableCredentials credentials, string region, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var dateStamp = amzDate[..8];
        request.Headers.Remove("x-amz-date");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        if (credentials.UseToken)
        {
            request.Headers.Remove("x-amz-security-token");
            request.Headers.TryAddWithoutValidation("x-amz-security-token", credentials.Token);
        }

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.Authority,
        };
        foreach (var (name, values) in request.Headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower is "x-amz-date" or "x-amz-target" or "x-amz-security-token")
            {
                headers[lower] = string.Join(',', values.Select(v => v.Trim()));
            }
        }

        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["content-type"] = contentType.ToString();
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(CanonicalUri(uri)).Append('\n')
            .Append(string.Empty).Append('\n');
        foreach (var (name, value) in headers)
        {
            canonicalRequest.Append(name).Append(':').Append(value).Append('\n');
        }

        canonicalRequest.Append('\n').Append(signedHeaders).Append('\n').Append(Hex(AWS4Signer.ComputeHash(body)));

        var scope = $"{dateStamp}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(AWS4Signer.ComputeHash(canonicalRequest.ToString()))}";
        var signature = ComputeSignature(credentials.SecretKey, dateStamp, region, service, stringToSign);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            Algorithm,
            $"Credential={credentials.AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    /// <summary>The hex signature of a string to sign (signing key derived from the secret, date, region and service).</summary>
    public static string ComputeSignature(string secretKey, string dateStamp, string region, string service, string stringToSign)
    {
        var signingKey = AWS4Signer.ComposeSigningKey(secretKey, region, dateStamp, service);
        return Hex(AWS4Signer.ComputeKeyedHash(SigningAlgorithm.HmacSHA256, signingKey, stringToSign));
    }

    /// <summary>Each path segment URI-encoded once more (SigV4 for every service but S3); "/" stays "/".</summary>
    private static string CanonicalUri(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (path.Length == 0)
        {
            return "/";
        }

        return string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
