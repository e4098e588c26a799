using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Identity;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using IdentityKind = MetaServer.Accounts.Domain.IdentityKind;

namespace MetaServer.Accounts.Tests;

public sealed class IdTokenVerifierTests : IDisposable
{
    private readonly TestIdTokens _tokens = new();
    private readonly ManualTimeProvider _clock = new(TestAccounts.Epoch);

    public void Dispose() => _tokens.Dispose();

    private IdTokenVerifier Verifier(IdentityProvidersOptions? options = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options ?? _tokens.Options()), _clock, NullLogger<IdTokenVerifier>.Instance);

    [Fact]
    public async Task VerifyAsync_GoodRs256GoogleToken_ReturnsSubject()
    {
        var result = await Verifier().VerifyAsync(IdentityKind.Google, _tokens.Google(_clock.GetUtcNow()), CancellationToken.None);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("google-sub-1", result.Subject);
    }

    [Fact]
    public async Task VerifyAsync_GoodEs256AppleToken_ReturnsSubject()
    {
        var result = await Verifier().VerifyAsync(IdentityKind.Apple, _tokens.Apple(_clock.GetUtcNow()), CancellationToken.None);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("apple-sub-1", result.Subject);
    }

    [Fact]
    public async Task VerifyAsync_GoogleIssuerWithoutScheme_Accepted()
    {
        var result = await Verifier().VerifyAsync(IdentityKind.Google, _tokens.Google(_clock.GetUtcNow(), issuer: "accounts.google.com"), CancellationToken.None);

        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("wrong-issuer", "another issuer")]
    [InlineData("wrong-audience", "wrong audience")]
    [InlineData("bad-signature", "signature")]
    [InlineData("unknown-kid", "unknown key")]
    [InlineData("alg-none", "algorithm")]
    [InlineData("alg-hs256", "algorithm")]
    [InlineData("malformed", "well-formed")]
    [InlineData("apple-token-for-google", "was issued")]
    public async Task VerifyAsync_BadToken_InvalidTokenWithPlainReason(string kind, string reasonPart)
    {
        var now = _clock.GetUtcNow();
        var token = kind switch
        {
            "wrong-issuer" => _tokens.Google(now, issuer: "https://evil.example.com"),
            "wrong-audience" => _tokens.Google(now, audience: "some-other-app"),
            "bad-signature" => _tokens.Google(now, rsa: _tokens.SecondRsa),
            "unknown-kid" => _tokens.Google(now, kid: "nobody-knows"),
            "alg-none" => _tokens.Google(now, alg: "none"),
            "alg-hs256" => _tokens.Google(now, alg: "HS256"),
            "malformed" => "not.a.jwt-at-all!",
            _ => _tokens.Apple(now),
        };

        var result = await Verifier().VerifyAsync(IdentityKind.Google, token, CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Equal(ResultCode.InvalidToken, result.Code);
        Assert.Contains(reasonPart, result.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ExpiredBeyondClockSkew_InvalidTokenExpired()
    {
        var token = _tokens.Google(_clock.GetUtcNow());
        var verifier = Verifier();

        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30));
        var withinSkew = await verifier.VerifyAsync(IdentityKind.Google, token, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var expired = await verifier.VerifyAsync(IdentityKind.Google, token, CancellationToken.None);

        Assert.True(withinSkew.IsValid, withinSkew.Message);
        Assert.False(expired.IsValid);
        Assert.Equal("The id token has expired.", expired.Message);
    }

    [Fact]
    public async Task VerifyAsync_DisabledProvider_InvalidArgumentSayingSo()
    {
        var options = _tokens.Options();
        options.Apple.Enabled = false;

        var result = await Verifier(options).VerifyAsync(IdentityKind.Apple, _tokens.Apple(_clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(ResultCode.InvalidArgument, result.Code);
        Assert.Equal("Sign in with Apple is not enabled on this server.", result.Message);
    }

    [Fact]
    public async Task VerifyAsync_KeyRotatedAfterFirstFetch_UnknownKidRefetchesOncePerMinRefreshInterval()
    {
        var verifier = Verifier();
        var now = _clock.GetUtcNow();
        Assert.True((await verifier.VerifyAsync(IdentityKind.Google, _tokens.Google(now), CancellationToken.None)).IsValid);

        // The provider rotates in a new key; the first token with it makes the verifier fetch again (once the
        // minimum interval since the last fetch has passed).
        _tokens.WriteJwks(includeSecondRsa: true);
        var tooSoon = await verifier.VerifyAsync(IdentityKind.Google, _tokens.Google(now, kid: "test-rsa-2", rsa: _tokens.SecondRsa), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        now = _clock.GetUtcNow();
        var rotated = await verifier.VerifyAsync(IdentityKind.Google, _tokens.Google(now, kid: "test-rsa-2", rsa: _tokens.SecondRsa), CancellationToken.None);

        // A further unknown kid within the minimum interval does not fetch: a key added now stays unknown until then.
        _tokens.WriteJwks(includeSecondRsa: false);
        var stillCached = await verifier.VerifyAsync(IdentityKind.Google, _tokens.Google(now, kid: "made-up"), CancellationToken.None);
        var secondKeyStillKnown = await verifier.VerifyAsync(IdentityKind.Google, _tokens.Google(now, kid: "test-rsa-2", rsa: _tokens.SecondRsa), CancellationToken.None);

        Assert.False(tooSoon.IsValid);
        Assert.True(rotated.IsValid, rotated.Message);
        Assert.False(stillCached.IsValid);
        Assert.True(secondKeyStillKnown.IsValid, secondKeyStillKnown.Message);
    }

    [Fact]
    public async Task VerifyAsync_JwksMissing_Unavailable()
    {
        var options = _tokens.Options();
        options.Google.JwksFile = Path.Combine(Path.GetTempPath(), "missing-" + Guid.NewGuid().ToString("N") + ".json");

        var result = await Verifier(options).VerifyAsync(IdentityKind.Google, _tokens.Google(_clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(ResultCode.Unavailable, result.Code);
    }

    [Theory]
    [InlineData(true, new string[0], null, null, "Audiences")]
    [InlineData(true, new[] { "aud" }, "http://example.com/keys", null, "JwksUri")]
    [InlineData(true, new[] { "aud" }, "not a uri", null, "JwksUri")]
    [InlineData(false, new string[0], "not a uri", null, null)]
    [InlineData(true, new[] { "aud" }, "http://127.0.0.1:5000/keys", null, null)]
    [InlineData(true, new[] { "aud" }, null, "/some/file.json", null)]
    public void Validator_ProviderSettings_FailsNamingTheKey(bool enabled, string[] audiences, string? jwksUri, string? jwksFile, string? failingKey)
    {
        var options = new IdentityProvidersOptions { Google = new IdentityProviderOptions { Enabled = enabled, Audiences = audiences, JwksUri = jwksUri, JwksFile = jwksFile } };

        var result = new IdentityProvidersOptionsValidator().Validate(null, options);

        if (failingKey is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.True(result.Failed);
            Assert.Contains("Providers:Google:" + failingKey, result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
