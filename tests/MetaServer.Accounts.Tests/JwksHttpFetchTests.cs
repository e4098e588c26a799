using MetaServer.Accounts.Identity;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using IdentityKind = MetaServer.Accounts.Domain.IdentityKind;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// The JWKS download over HTTP against a key endpoint on 127.0.0.1 that counts the requests it receives: caching,
/// early refetch on key rotation bounded by <see cref="IdentityProviderOptions.JwksMinRefreshInterval"/>, server
/// errors, malformed documents and the fetch timeout.
/// </summary>
public sealed class JwksHttpFetchTests : IAsyncLifetime
{
    private readonly TestIdTokens _tokens = new();
    private readonly ManualTimeProvider _clock = new(TestAccounts.Epoch);
    private LoopbackHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackHttpServer.StartAsync();
        _server.Responder = _ => new ScriptedResponse(200, _tokens.JwksJson(includeSecondRsa: false));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _tokens.Dispose();
    }

    private IdentityProvidersOptions Options(TimeSpan? fetchTimeout = null)
    {
        var options = _tokens.Options();
        options.Google.JwksFile = null;
        options.Google.JwksUri = new Uri(_server.Endpoint, "keys").ToString();
        options.JwksFetchTimeout = fetchTimeout ?? TimeSpan.FromSeconds(30);
        return options;
    }

    private IdTokenVerifier Verifier(IdentityProvidersOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), _clock, NullLogger<IdTokenVerifier>.Instance);

    private Task<IdTokenVerification> VerifyAsync(IdTokenVerifier verifier, string token) =>
        verifier.VerifyAsync(IdentityKind.Google, token, CancellationToken.None).WithTimeout("id token verification");

    [Fact]
    public async Task VerifyAsync_JwksOverLoopbackHttp_FetchesOnceAndServesLaterTokensFromCache()
    {
        var options = Options();
        Assert.True(new IdentityProvidersOptionsValidator().Validate(null, options).Succeeded, "plain http to 127.0.0.1 is allowed");
        Assert.StartsWith("http://127.0.0.1:", options.Google.JwksUri, StringComparison.Ordinal);
        var verifier = Verifier(options);

        var first = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow(), subject: "sub-1"));
        _clock.Advance(TimeSpan.FromMinutes(30));
        var second = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow(), subject: "sub-2"));

        Assert.True(first.IsValid, first.Message);
        Assert.Equal("sub-1", first.Subject);
        Assert.True(second.IsValid, second.Message);
        Assert.Equal("sub-2", second.Subject);
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task VerifyAsync_CachedKeysOlderThanRefreshInterval_FetchedAgain()
    {
        var options = Options();
        var verifier = Verifier(options);
        Assert.True((await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()))).IsValid);

        _clock.Advance(options.Google.JwksRefreshInterval);
        var result = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()));

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(2, _server.RequestCount);
    }

    [Fact]
    public async Task VerifyAsync_UnknownKid_RefetchesAtMostOncePerMinRefreshInterval()
    {
        var verifier = Verifier(Options());
        Assert.True((await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()))).IsValid);
        Assert.Equal(1, _server.RequestCount);

        // The provider rotates in a new key right after the first fetch.
        _server.Responder = _ => new ScriptedResponse(200, _tokens.JwksJson(includeSecondRsa: true));
        var tooSoon = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow(), kid: "test-rsa-2", rsa: _tokens.SecondRsa));
        Assert.Equal(1, _server.RequestCount);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var rotated = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow(), kid: "test-rsa-2", rsa: _tokens.SecondRsa));
        Assert.Equal(2, _server.RequestCount);

        // Tokens with made-up key ids cannot make the server hammer the provider.
        for (var i = 0; i < 5; i++)
        {
            Assert.False((await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow(), kid: "made-up-" + i))).IsValid);
        }

        Assert.Equal(2, _server.RequestCount);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var afterInterval = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow(), kid: "made-up-again"));

        Assert.False(tooSoon.IsValid);
        Assert.Contains("unknown key", tooSoon.Message, StringComparison.Ordinal);
        Assert.True(rotated.IsValid, rotated.Message);
        Assert.False(afterInterval.IsValid);
        Assert.Equal(3, _server.RequestCount);
    }

    [Theory]
    [InlineData(500, "{\"error\":\"boom\"}")]
    [InlineData(503, "")]
    [InlineData(404, "not here")]
    [InlineData(200, "this is not json")]
    [InlineData(200, "{\"keys\":\"not-an-array\"}")]
    [InlineData(200, "[1,2,3]")]
    public async Task VerifyAsync_ServerErrorOrMalformedJwks_UnavailableWithPlainReason(int status, string body)
    {
        _server.Responder = _ => new ScriptedResponse(status, body);
        var verifier = Verifier(Options());

        var result = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()));

        Assert.False(result.IsValid);
        Assert.Equal(ResultCode.Unavailable, result.Code);
        Assert.Equal("The signing keys of Google Sign-In are unavailable; retry later.", result.Message);
        Assert.Equal(1, _server.RequestCount);
    }

    [Fact]
    public async Task VerifyAsync_FailedFetchWithoutKeys_StaysUnavailableAndRetriesAfterMinRefreshInterval()
    {
        _server.Responder = _ => new ScriptedResponse(500, "down");
        var verifier = Verifier(Options());
        Assert.Equal(ResultCode.Unavailable, (await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()))).Code);

        // Within the interval: no new request, and the reason still says the keys are unavailable.
        var again = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()));
        Assert.Equal(1, _server.RequestCount);

        _server.Responder = _ => new ScriptedResponse(200, _tokens.JwksJson(includeSecondRsa: false));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var recovered = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()));

        Assert.Equal(ResultCode.Unavailable, again.Code);
        Assert.Contains("unavailable", again.Message, StringComparison.Ordinal);
        Assert.True(recovered.IsValid, recovered.Message);
        Assert.Equal(2, _server.RequestCount);
    }

    [Fact]
    public async Task VerifyAsync_RefreshFailsAfterKeysCached_KeepsUsingCachedKeys()
    {
        var options = Options();
        var verifier = Verifier(options);
        Assert.True((await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()))).IsValid);

        _server.Responder = _ => new ScriptedResponse(500, "down");
        _clock.Advance(options.Google.JwksRefreshInterval);
        var result = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()));

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(2, _server.RequestCount);
    }

    [Fact]
    public async Task VerifyAsync_ServerNeverAnswers_GivesUpAtFetchTimeoutAsUnavailable()
    {
        _server.Hang = true;
        var verifier = Verifier(Options(fetchTimeout: TimeSpan.FromMilliseconds(300)));
        var requestSeen = _server.NextRequest;

        // Bounded well above the fetch timeout: the verification must end by itself, not hang with the server.
        var result = await VerifyAsync(verifier, _tokens.Google(_clock.GetUtcNow()));

        await requestSeen.WithTimeout("the key request reaching the server");
        Assert.Equal(ResultCode.Unavailable, result.Code);
        Assert.Contains("unavailable", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.RequestCount);
    }
}
