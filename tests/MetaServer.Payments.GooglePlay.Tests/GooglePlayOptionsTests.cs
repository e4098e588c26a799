using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.GooglePlay.Tests;

public sealed class GooglePlayOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("googleplay-options-").FullName;
    private readonly RSA _key = RSA.Create(2048);

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_directory, true);
    }

    [Fact]
    public void Validate_CompleteSettings_UsesDefaultApiBaseUrl()
    {
        using var provider = Build(Settings());

        var options = provider.GetRequiredService<IOptions<GooglePlayOptions>>().Value;

        Assert.Equal("https://androidpublisher.googleapis.com", options.ApiBaseUrl);
        Assert.Equal(FakeGooglePlay.PackageName, options.PackageName);
    }

    [Theory]
    [InlineData("PackageName", "", "PackageName")]
    [InlineData("Environment", "Test", "Environment")]
    [InlineData("ApiBaseUrl", "not a url", "ApiBaseUrl")]
    [InlineData("TokenUrl", "ftp://x", "TokenUrl")]
    [InlineData("ServiceAccountKeyPath", "", "ServiceAccountKeyPath")]
    [InlineData("ServiceAccountKeyPath", "/nonexistent/key.json", "can't be read")]
    public void Validate_BadSetting_FailsAtStartUp(string key, string value, string expected)
    {
        var settings = Settings();
        settings[key] = value;
        using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GooglePlayOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("{\"client_email\":\"a@b\",\"token_uri\":\"https://oauth2.googleapis.com/token\"}", "needs client_email, private_key and token_uri")]
    [InlineData("{\"client_email\":\"a@b\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\",\"token_uri\":\"https://oauth2.googleapis.com/token\"}", "not an RSA private key")]
    public void Validate_BadKeyFile_FailsWithoutEchoingTheKey(string content, string expected)
    {
        var path = Path.Combine(_directory, "bad.json");
        File.WriteAllText(path, content);
        var settings = Settings();
        settings["ServiceAccountKeyPath"] = path;
        using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GooglePlayOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsGooglePlayConfigured_SectionPresentOrAbsent_Reports()
    {
        Assert.True(new ConfigurationBuilder().AddInMemoryCollection(Settings().ToDictionary(kv => GooglePlayOptions.SectionName + ":" + kv.Key, kv => kv.Value)).Build().IsGooglePlayConfigured());
        Assert.False(new ConfigurationBuilder().Build().IsGooglePlayConfigured());
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["PackageName"] = FakeGooglePlay.PackageName,
        ["Environment"] = "Production",
        ["ServiceAccountKeyPath"] = TestServiceAccount.WriteKeyFile(_directory, _key, "https://oauth2.googleapis.com/token"),
    };

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => GooglePlayOptions.SectionName + ":" + kv.Key, kv => kv.Value))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGooglePlayVerification(configuration);
        return services.BuildServiceProvider();
    }
}
