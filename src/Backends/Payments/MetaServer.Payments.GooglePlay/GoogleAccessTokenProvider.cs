using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetaServer.Payments.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.GooglePlay;

/// <summary>
/// OAuth access tokens for the service account (JWT bearer grant, RFC 7523): an RS256 assertion
/// <c>{iss: client_email, scope: androidpublisher, aud: token URL, iat, exp: iat + 1 h}</c> POSTed form-encoded to the
/// token URL. The token is cached until <see cref="GooglePlayOptions.TokenRefreshMargin"/> before it expires
/// (<see cref="TimeProvider"/>), one refresh at a time. Tokens and the key are never logged.
/// </summary>
public sealed partial class GoogleAccessTokenProvider : IDisposable
{
    public const string Scope = "https://www.googleapis.com/auth/androidpublisher";
    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const string HttpClientName = "MetaServer.Payments.GooglePlay";

    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);

    private readonly GoogleServiceAccountKey _key;
    private readonly IHttpClientFactory _httpClients;
    private readonly TimeProvider _time;
    private readonly GooglePlayOptions _options;
    private readonly ILogger<GoogleAccessTokenProvider> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Uri _tokenUrl;
    private CachedToken? _cached;

    public GoogleAccessTokenProvider(GoogleServiceAccountKey key, IHttpClientFactory httpClients, TimeProvider time, IOptions<GooglePlayOptions> options, ILogger<GoogleAccessTokenProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = key;
        _httpClients = httpClients;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _tokenUrl = new Uri(string.IsNullOrWhiteSpace(_options.TokenUrl) ? key.TokenUri : _options.TokenUrl);
    }

    public void Dispose() => _refresh.Dispose();

    /// <summary>A valid access token; throws <see cref="StoreUnavailableException"/> when none can be had.</summary>
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (Current() is { } token)
        {
            return token;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (Current() is { } refreshed)
            {
                return refreshed;
            }

            var (accessToken, lifetime) = await RequestAsync(cancellationToken);
            var refreshAt = _time.GetUtcNow() + lifetime - _options.TokenRefreshMargin;
            Volatile.Write(ref _cached, new CachedToken(accessToken, refreshAt));
            LogTokenObtained(_logger, lifetime);
            return accessToken;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Forgets the cached token (after Google refused it with 401).</summary>
    public void Invalidate(string token)
    {
        var cached = Volatile.Read(ref _cached);
        if (cached is not null && cached.Token == token)
        {
            Interlocked.CompareExchange(ref _cached, null, cached);
        }
    }

    private string? Current() => Volatile.Read(ref _cached) is { } cached && _time.GetUtcNow() < cached.RefreshAt ? cached.Token : null;

    private async Task<(string Token, TimeSpan Lifetime)> RequestAsync(CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent(
        [
            new KeyValuePair<string, string>("grant_type", GrantType),
            new KeyValuePair<string, string>("assertion", CreateAssertion()),
        ]);
        var http = _httpClients.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(_tokenUrl, content, cancellationToken);
        }
        catch (Exception e) when (GooglePlayHttp.IsTransient(e, cancellationToken))
        {
            throw new StoreUnavailableException("the Google OAuth token endpoint can't be reached", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                LogTokenRefused(_logger, (int)response.StatusCode);
                throw new StoreUnavailableException($"the Google OAuth token endpoint answered {(int)response.StatusCode}" +
                    (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized ? " (check the service account key)" : string.Empty));
            }

            try
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object
                    && root.TryGetProperty("access_token", out var tokenElement) && tokenElement.ValueKind == JsonValueKind.String
                    && tokenElement.GetString() is { Length: > 0 } token)
                {
                    var seconds = root.TryGetProperty("expires_in", out var expires) && expires.ValueKind == JsonValueKind.Number && expires.TryGetInt32(out var s) ? s : 3600;
                    return (token, TimeSpan.FromSeconds(Math.Max(0, seconds)));
                }
            }
            catch (JsonException)
            {
            }

            throw new StoreUnavailableException("the Google OAuth token endpoint answered without an access_token");
        }
    }

    private string CreateAssertion()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (!string.IsNullOrEmpty(_key.KeyId))
        {
            header["kid"] = _key.KeyId;
        }

        var claims = new Dictionary<string, object>
        {
            ["iss"] = _key.ClientEmail,
            ["scope"] = Scope,
            ["aud"] = _tokenUrl.AbsoluteUri,
            ["iat"] = now,
            ["exp"] = now + (long)AssertionLifetime.TotalSeconds,
        };
        var signingInput = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.PrivateKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private sealed record CachedToken(string Token, DateTimeOffset RefreshAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Google Play: access token obtained, valid for {Lifetime}")]
    private static partial void LogTokenObtained(ILogger logger, TimeSpan lifetime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Google Play: the OAuth token endpoint refused the service account assertion with HTTP {Status}")]
    private static partial void LogTokenRefused(ILogger logger, int status);
}

internal static class GooglePlayHttp
{
    /// <summary>Network failures and timeouts (not the caller's own cancellation).</summary>
    public static bool IsTransient(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>Statuses worth retrying: 408, 429, 5xx, and 401/403 (credentials or permissions, fixed by an operator, never the client's fault).</summary>
    public static bool IsRetryable(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || (int)status >= 500;
}
