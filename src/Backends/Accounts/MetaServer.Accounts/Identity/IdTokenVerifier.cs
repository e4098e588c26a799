using MetaServer.Accounts.Domain;
using ResultCode = MetaServer.Protocol.V1.ResultCode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MetaServer.Accounts.Identity;

/// <summary>Outcome of <see cref="IdTokenVerifier.VerifyAsync"/>: the provider subject, or an error code with a plain reason.</summary>
public sealed record IdTokenVerification(string? Subject, ResultCode Code, string Message)
{
    public bool IsValid => Subject is not null;

    public static IdTokenVerification Valid(string subject) => new(subject, ResultCode.Ok, string.Empty);

    public static IdTokenVerification Invalid(string reason) => new(null, ResultCode.InvalidToken, reason);
}

/// <summary>
/// Verifies Sign in with Apple / Google id tokens: the algorithm (RS256 or ES256 only; <c>none</c> and HMAC are
/// refused), the signature against the provider's JWKS (<see cref="JwksCache"/>), the issuer, the audience (the
/// configured client ids) and the lifetime (<c>exp</c> required, <see cref="IdentityProvidersOptions.ClockSkew"/>
/// tolerated, on <see cref="TimeProvider"/>). The subject (<c>sub</c>) identifies the provider account.
/// Tokens are credentials: never logged; failures are logged with their plain reason only.
/// </summary>
public sealed partial class IdTokenVerifier
{
    /// <summary>Longest id token accepted.</summary>
    public const int MaxTokenLength = 8192;

    private const int MaxSubjectLength = 255;

    private static readonly string[] AcceptedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private readonly IdentityProvidersOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IdTokenVerifier> _logger;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly Dictionary<IdentityKind, JwksCache> _caches = [];

    public IdTokenVerifier(IOptions<IdentityProvidersOptions> options, TimeProvider timeProvider, ILogger<IdTokenVerifier> logger, IHttpClientFactory? httpClientFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        HttpClient? shared = null;
        HttpClient Client() => httpClientFactory?.CreateClient(HttpClientName) ?? (shared ??= new HttpClient());
        foreach (var kind in new[] { IdentityKind.Apple, IdentityKind.Google })
        {
            _caches[kind] = new JwksCache(kind, _options.For(kind), _options.JwksFetchTimeout, Client, timeProvider, logger);
        }
    }

    /// <summary>Name of the <see cref="HttpClient"/> used for JWKS downloads.</summary>
    public const string HttpClientName = "metaserver-jwks";

    /// <summary>Checks <paramref name="idToken"/> for <paramref name="provider"/> (Apple or Google).</summary>
    public async Task<IdTokenVerification> VerifyAsync(IdentityKind provider, string idToken, CancellationToken cancellationToken)
    {
        if (provider is not (IdentityKind.Apple or IdentityKind.Google))
        {
            return new IdTokenVerification(null, ResultCode.InvalidArgument, "The provider must be Apple or Google.");
        }

        var settings = _options.For(provider);
        if (!settings.Enabled)
        {
            return new IdTokenVerification(null, ResultCode.InvalidArgument, $"{IdentityProviderDefaults.DisplayName(provider)} is not enabled on this server.");
        }

        var result = await CheckAsync(provider, settings, idToken, cancellationToken);
        if (!result.IsValid)
        {
            LogRefused(provider, result.Message);
        }

        return result;
    }

    private async Task<IdTokenVerification> CheckAsync(IdentityKind provider, IdentityProviderOptions settings, string idToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idToken))
        {
            return IdTokenVerification.Invalid("The id token is empty.");
        }

        if (idToken.Length > MaxTokenLength)
        {
            return IdTokenVerification.Invalid($"The id token is longer than {MaxTokenLength} characters.");
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(idToken);
        }
        catch (ArgumentException)
        {
            return IdTokenVerification.Invalid("The id token is not a well-formed JWT.");
        }

        if (!AcceptedAlgorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return IdTokenVerification.Invalid("The id token's signing algorithm is not accepted (RS256 or ES256 only).");
        }

        if (string.IsNullOrEmpty(token.Kid))
        {
            return IdTokenVerification.Invalid("The id token does not name its signing key.");
        }

        JsonWebKey? key;
        try
        {
            key = await _caches[provider].FindAsync(token.Kid, cancellationToken);
        }
        catch (JwksUnavailableException)
        {
            return new IdTokenVerification(null, ResultCode.Unavailable, $"The signing keys of {IdentityProviderDefaults.DisplayName(provider)} are unavailable; retry later.");
        }

        if (key is null)
        {
            return IdTokenVerification.Invalid("The id token is signed with an unknown key.");
        }

        var validation = await _handler.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = AcceptedAlgorithms,
            ValidIssuers = IdentityProviderDefaults.EffectiveIssuers(settings, provider),
            ValidAudiences = settings.Audiences,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateIssuerSigningKey = false,

            // Lifetime is checked below on the TimeProvider.
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
        });
        if (!validation.IsValid)
        {
            return IdTokenVerification.Invalid(validation.Exception switch
            {
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The id token's signature is not valid.",
                SecurityTokenInvalidIssuerException => "The id token was issued by another issuer.",
                SecurityTokenInvalidAudienceException => "The id token was issued for another app (wrong audience).",
                SecurityTokenInvalidAlgorithmException => "The id token's signing algorithm is not accepted (RS256 or ES256 only).",
                _ => "The id token is not valid.",
            });
        }

        var now = _timeProvider.GetUtcNow();
        var skew = _options.ClockSkew;
        if (!token.TryGetPayloadValue<long>("exp", out var exp))
        {
            return IdTokenVerification.Invalid("The id token has no expiry.");
        }

        if (now - skew >= DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp, 0, 253402300799)))
        {
            return IdTokenVerification.Invalid("The id token has expired.");
        }

        if ((token.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(nbf, 0, 253402300799)) > now + skew)
            || (token.TryGetPayloadValue<long>("iat", out var iat) && DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(iat, 0, 253402300799)) > now + skew))
        {
            return IdTokenVerification.Invalid("The id token is not valid yet.");
        }

        var subject = token.Subject;
        if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength)
        {
            return IdTokenVerification.Invalid("The id token has no valid subject.");
        }

        return IdTokenVerification.Valid(subject);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a {Provider} id token: {Reason}")]
    private partial void LogRefused(IdentityKind provider, string reason);
}
