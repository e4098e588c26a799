using MetaServer.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Frontend.Tests;

public sealed class SigningKeyAndOptionsTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "fe-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public void Load_GeneratedKey_PersistedPrivatelyAndReusedAfterRestart()
    {
        var tokens = new TokenOptions { AllowGeneratedSigningKey = true };
        var core = new MetaServerOptions { DataDir = _dataDir };

        var first = SigningKeyLoader.Load(tokens, core, NullLogger.Instance);
        var second = SigningKeyLoader.Load(tokens, core, NullLogger.Instance);

        Assert.True(first.Bytes.SequenceEqual(second.Bytes));
        var path = Path.Combine(_dataDir, TokenOptions.GeneratedKeyFileName);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Load_ConfiguredKey_UsesIt()
    {
        var key = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();

        var loaded = SigningKeyLoader.Load(new TokenOptions { SigningKey = Convert.ToBase64String(key) }, new MetaServerOptions { DataDir = _dataDir }, NullLogger.Instance);

        Assert.True(loaded.Bytes.SequenceEqual(key));
        Assert.False(Directory.Exists(_dataDir));
    }

    [Fact]
    public void Validate_NoKeyAndNoGeneration_FailsWithClearMessage()
    {
        var result = new FrontendOptionsValidator().Validate(null, new FrontendOptions());

        Assert.True(result.Failed);
        Assert.Contains("MetaServer:Frontend:Tokens:SigningKey is not set", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Validate_BadKey_Fails(string key)
    {
        var result = new FrontendOptionsValidator().Validate(null, new FrontendOptions { Tokens = { SigningKey = key } });

        Assert.True(result.Failed);
    }

    [Fact]
    public void Validate_Defaults_WithGeneratedKey_Succeed()
    {
        var options = new FrontendOptions { Tokens = { AllowGeneratedSigningKey = true } };

        var result = new FrontendOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.StartsWith("fe-", options.InstanceId, StringComparison.Ordinal);
        Assert.Equal(64 * 1024, options.MaxMessageBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RequestTimeout);
    }

    [Fact]
    public void Validate_ZeroCapacityAndBadInstanceId_Fail()
    {
        var options = new FrontendOptions { OutboundQueueCapacity = 0, InstanceId = "bad id!", Tokens = { AllowGeneratedSigningKey = true } };

        var result = new FrontendOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("OutboundQueueCapacity", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("InstanceId", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("https://game.example", true)]
    [InlineData("https://GAME.example/", true)]
    [InlineData("https://evil.example", false)]
    public void IsOriginAllowed_WithList_MatchesOrigins(string? origin, bool allowed)
    {
        Assert.Equal(allowed, FrontendEndpointExtensions.IsOriginAllowed(origin, ["https://game.example"]));
    }
}
