using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MetaServer.Testing;
using Microsoft.Extensions.Options;

namespace MetaServer.Frontend.Tests;

public sealed class SessionTokenServiceTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private readonly ManualTimeProvider _clock = new();

    private SessionTokenService Create(byte[]? key = null, string issuer = "metaserver") =>
        new(new SessionTokenKey(key ?? Key), Options.Create(new FrontendOptions { Tokens = { Issuer = issuer, Lifetime = TimeSpan.FromDays(7) } }), _clock);

    [Fact]
    public void Validate_IssuedToken_ReturnsAccountAndExpiry()
    {
        var service = Create();

        var issued = service.Issue("acc-42");
        var result = service.Validate(issued.Token);

        Assert.True(result.IsValid);
        Assert.Equal("acc-42", result.AccountId);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(7), issued.ExpiresAt);
        Assert.Equal(issued.ExpiresAt, result.ExpiresAt);
        Assert.Equal(3, issued.Token.Split('.').Length);
    }

    [Fact]
    public void Issue_TwoTokens_HaveDistinctIds()
    {
        var service = Create();

        Assert.NotEqual(service.Issue("a").TokenId, service.Issue("a").TokenId);
    }

    [Fact]
    public void Validate_TamperedPayload_BadSignature()
    {
        var service = Create();
        var parts = service.Issue("acc-1").Token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("acc-1", "acc-2", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        var result = service.Validate(forged);

        Assert.False(result.IsValid);
        Assert.Equal(TokenFailure.BadSignature, result.Failure);
    }

    [Fact]
    public void Validate_OtherKey_BadSignature()
    {
        var token = Create(key: RandomNumberGenerator.GetBytes(32)).Issue("acc-1").Token;

        var result = Create().Validate(token);

        Assert.Equal(TokenFailure.BadSignature, result.Failure);
    }

    [Fact]
    public void Validate_AfterExpiry_Expired()
    {
        var service = Create();
        var token = service.Issue("acc-1").Token;

        _clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.True(service.Validate(token).IsValid);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TokenFailure.Expired, service.Validate(token).Failure);
    }

    [Theory]
    [InlineData("{\"alg\":\"none\",\"typ\":\"JWT\"}")]
    [InlineData("{\"alg\":\"HS512\",\"typ\":\"JWT\"}")]
    [InlineData("{\"typ\":\"JWT\"}")]
    public void Validate_WrongAlgorithm_Refused(string header)
    {
        var service = Create();
        var parts = service.Issue("acc-1").Token.Split('.');
        var headerSegment = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header));
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes($"{headerSegment}.{parts[1]}")));

        var result = service.Validate($"{headerSegment}.{parts[1]}.{signature}");

        Assert.Equal(TokenFailure.UnsupportedAlgorithm, result.Failure);
    }

    [Fact]
    public void Validate_OtherIssuer_WrongIssuer()
    {
        var token = Create(issuer: "someone-else").Issue("acc-1").Token;

        Assert.Equal(TokenFailure.WrongIssuer, Create().Validate(token).Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!.??.**")]
    [InlineData("e30.e30.")]
    public void Validate_Garbage_Malformed(string token)
    {
        Assert.Equal(TokenFailure.Malformed, Create().Validate(token).Failure);
    }

    [Fact]
    public void Key_ToString_DoesNotRevealTheKey()
    {
        var key = new SessionTokenKey(Key);

        Assert.DoesNotContain(Convert.ToBase64String(Key), key.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_ShorterThan32Bytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SessionTokenKey(new byte[31]));
    }
}
