using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MetaServer.Frontend;

/// <summary>A session token and when it stops being valid.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt, string TokenId)
{
    public override string ToString() => $"IssuedToken {{ TokenId = {TokenId}, ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>Why a token was refused.</summary>
public enum TokenFailure
{
    None,
    Malformed,
    UnsupportedAlgorithm,
    BadSignature,
    WrongIssuer,
    Expired,
    NotYetValid,
}

/// <summary>Outcome of <see cref="SessionTokenService.Validate"/>.</summary>
public readonly record struct TokenValidation(string? AccountId, DateTimeOffset ExpiresAt, TokenFailure Failure)
{
    public bool IsValid => Failure == TokenFailure.None && AccountId is not null;

    internal static TokenValidation Fail(TokenFailure failure) => new(null, default, failure);
}

/// <summary>The HMAC key that signs session tokens. Its value is never printed.</summary>
public sealed class SessionTokenKey
{
    private readonly byte[] _key;

    public SessionTokenKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < TokenOptions.MinKeyBytes)
        {
            throw new ArgumentException($"A session token key needs at least {TokenOptions.MinKeyBytes} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    internal ReadOnlySpan<byte> Bytes => _key;

    public override string ToString() => "SessionTokenKey { <redacted> }";
}

/// <summary>
/// Issues and checks session tokens: compact HS256 JWTs with <c>sub</c> (account id), <c>iat</c>, <c>exp</c>,
/// <c>iss</c> and <c>jti</c>. Any frontend holding the same key can verify a token, so sessions can resume anywhere.
/// </summary>
public sealed class SessionTokenService
{
    private const string Algorithm = "HS256";
    private static readonly byte[] HeaderSegment = Encoding.ASCII.GetBytes(Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8));

    /// <summary>Tolerated clock difference between frontends for <c>iat</c>.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    private readonly SessionTokenKey _key;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _lifetime;
    private readonly string _issuer;

    public SessionTokenService(SessionTokenKey key, IOptions<FrontendOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _key = key;
        _timeProvider = timeProvider;
        _lifetime = options.Value.Tokens.Lifetime;
        _issuer = options.Value.Tokens.Issuer;
    }

    public IssuedToken Issue(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        var now = _timeProvider.GetUtcNow();
        var issuedAt = now.ToUnixTimeSeconds();
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(issuedAt) + _lifetime;
        var tokenId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        var payloadJson = JsonSerializer.SerializeToUtf8Bytes(
            new TokenClaims(accountId, issuedAt, expiresAt.ToUnixTimeSeconds(), _issuer, tokenId),
            TokenJsonContext.Default.TokenClaims);
        var payloadSegment = Base64Url.EncodeToString(payloadJson);

        var signingInput = new byte[HeaderSegment.Length + 1 + payloadSegment.Length];
        HeaderSegment.CopyTo(signingInput, 0);
        signingInput[HeaderSegment.Length] = (byte)'.';
        Encoding.ASCII.GetBytes(payloadSegment, signingInput.AsSpan(HeaderSegment.Length + 1));
        var signature = HMACSHA256.HashData(_key.Bytes, signingInput);

        var token = $"{Encoding.ASCII.GetString(signingInput)}.{Base64Url.EncodeToString(signature)}";
        return new IssuedToken(token, expiresAt, tokenId);
    }

    public TokenValidation Validate(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot == firstDot || lastDot == token.Length - 1 || token.IndexOf('.', firstDot + 1) != lastDot)
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        if (!TryDecode(token.AsSpan(0, firstDot), out var headerJson)
            || !TryDecode(token.AsSpan(firstDot + 1, lastDot - firstDot - 1), out var payloadJson)
            || !TryDecode(token.AsSpan(lastDot + 1), out var signature))
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        TokenHeader? header;
        TokenClaims? claims;
        try
        {
            header = JsonSerializer.Deserialize(headerJson, TokenJsonContext.Default.TokenHeader);
            claims = JsonSerializer.Deserialize(payloadJson, TokenJsonContext.Default.TokenClaims);
        }
        catch (JsonException)
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        if (header is null || claims is null)
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        // The algorithm is fixed; anything else ("none", RS256, ...) is refused before looking at the signature.
        if (!string.Equals(header.Alg, Algorithm, StringComparison.Ordinal))
        {
            return TokenValidation.Fail(TokenFailure.UnsupportedAlgorithm);
        }

        var expected = HMACSHA256.HashData(_key.Bytes, Encoding.ASCII.GetBytes(token, 0, lastDot));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return TokenValidation.Fail(TokenFailure.BadSignature);
        }

        if (string.IsNullOrEmpty(claims.Sub) || claims.Exp <= 0)
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        if (!string.Equals(claims.Iss, _issuer, StringComparison.Ordinal))
        {
            return TokenValidation.Fail(TokenFailure.WrongIssuer);
        }

        var now = _timeProvider.GetUtcNow();
        DateTimeOffset expiresAt;
        try
        {
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(claims.Exp);
        }
        catch (ArgumentOutOfRangeException)
        {
            return TokenValidation.Fail(TokenFailure.Malformed);
        }

        if (now >= expiresAt)
        {
            return TokenValidation.Fail(TokenFailure.Expired);
        }

        if (claims.Iat > (now + ClockSkew).ToUnixTimeSeconds())
        {
            return TokenValidation.Fail(TokenFailure.NotYetValid);
        }

        return new TokenValidation(claims.Sub, expiresAt, TokenFailure.None);
    }

    private static bool TryDecode(ReadOnlySpan<char> segment, out byte[] bytes)
    {
        // Only the unpadded base64url alphabet; TryDecodeFromChars throws on other characters.
        foreach (var c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                bytes = [];
                return false;
            }
        }

        bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        int written;
        try
        {
            if (!Base64Url.TryDecodeFromChars(segment, bytes, out written))
            {
                return false;
            }
        }
        catch (FormatException)
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }
}
