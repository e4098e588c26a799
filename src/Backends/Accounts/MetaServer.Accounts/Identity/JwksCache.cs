using MetaServer.Accounts.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace MetaServer.Accounts.Identity;

/// <summary>The provider's signing keys could not be loaded and none are cached.</summary>
public sealed class JwksUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// The signing keys of one provider: fetched from its JWKS URI (or read from a JWKS file), kept for
/// <see cref="IdentityProviderOptions.JwksRefreshInterval"/>, fetched early when a token names an unknown <c>kid</c>
/// (key rotation) but at most once per <see cref="IdentityProviderOptions.JwksMinRefreshInterval"/>, so tokens with
/// made-up key ids cannot make the server hammer the provider. A failed refresh keeps serving the keys it has.
/// </summary>
internal sealed partial class JwksCache(
    IdentityKind provider,
    IdentityProviderOptions options,
    TimeSpan fetchTimeout,
    Func<HttpClient> httpClient,
    TimeProvider timeProvider,
    ILogger logger)
{
    private const int MaxJwksBytes = 1024 * 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private JsonWebKeySet? _keys;
    private DateTimeOffset _fetchedAt;
    private DateTimeOffset? _lastAttempt;

    /// <summary>The key with <paramref name="keyId"/> (fetching the set when due, or early once when the id is unknown), or null.</summary>
    public async Task<JsonWebKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        // No keys at all (the last fetch failed and the next is not due yet): say so, rather than "unknown key".
        var keys = await GetAsync(force: false, cancellationToken)
            ?? throw new JwksUnavailableException($"The signing keys of {provider} could not be loaded; the next attempt is due after the minimum refresh interval.");
        if (Find(keys, keyId) is { } key)
        {
            return key;
        }

        return Find(await GetAsync(force: true, cancellationToken), keyId);
    }

    private static JsonWebKey? Find(JsonWebKeySet? keys, string keyId) =>
        keys?.Keys.FirstOrDefault(k => string.Equals(k.Kid, keyId, StringComparison.Ordinal) && !string.Equals(k.Use, "enc", StringComparison.Ordinal));

    private async Task<JsonWebKeySet?> GetAsync(bool force, CancellationToken cancellationToken)
    {
        if (!IsFetchDue(force))
        {
            return _keys;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!IsFetchDue(force))
            {
                return _keys;
            }

            _lastAttempt = timeProvider.GetUtcNow();
            try
            {
                _keys = await FetchAsync(cancellationToken);
                _fetchedAt = timeProvider.GetUtcNow();
                LogKeysLoaded(provider, _keys.Keys.Count);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or ArgumentException or TaskCanceledException or UnauthorizedAccessException
                                       && !cancellationToken.IsCancellationRequested)
            {
                LogKeysFailed(ex, provider);
                if (_keys is null)
                {
                    throw new JwksUnavailableException($"The signing keys of {provider} could not be loaded.", ex);
                }
            }

            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFetchDue(bool force)
    {
        var now = timeProvider.GetUtcNow();
        var recentlyTried = _lastAttempt is { } last && now - last < options.JwksMinRefreshInterval;
        if (_keys is null)
        {
            return !recentlyTried || _lastAttempt is null;
        }

        return force ? !recentlyTried : now - _fetchedAt >= options.JwksRefreshInterval;
    }

    private async Task<JsonWebKeySet> FetchAsync(CancellationToken cancellationToken)
    {
        string json;
        if (!string.IsNullOrWhiteSpace(options.JwksFile))
        {
            json = await File.ReadAllTextAsync(options.JwksFile, cancellationToken);
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(fetchTimeout);
            using var response = await httpClient().GetAsync(
                new Uri(IdentityProviderDefaults.EffectiveJwksUri(options, provider)), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxJwksBytes)
            {
                throw new IOException("The JWKS document is too large.");
            }

            json = await response.Content.ReadAsStringAsync(timeout.Token);
        }

        if (json.Length > MaxJwksBytes)
        {
            throw new IOException("The JWKS document is too large.");
        }

        // Throws ArgumentException on a document that is not a JWKS.
        return new JsonWebKeySet(json);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} signing keys of {Provider}")]
    private partial void LogKeysLoaded(IdentityKind provider, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the signing keys of {Provider}; keeping the keys already loaded, if any")]
    private partial void LogKeysFailed(Exception exception, IdentityKind provider);
}
