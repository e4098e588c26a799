using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.GameLift.Tests;

public sealed class GameLiftHostingTests
{
    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGameLiftClient(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddGameLiftClient_RegionOnly_UsesTheRegionalEndpoint()
    {
        using var provider = Provider(new() { ["MetaServer:GameLift:Region"] = "eu-west-1" });

        var client = Assert.IsType<GameLiftClient>(provider.GetRequiredService<IGameLiftClient>());

        Assert.Equal(new Uri("https://gamelift.eu-west-1.amazonaws.com/"), client.Endpoint);
    }

    [Fact]
    public void AddGameLiftClient_ServiceUrl_OverridesTheEndpoint()
    {
        using var provider = Provider(new() { ["MetaServer:GameLift:Region"] = "eu-west-1", ["MetaServer:GameLift:ServiceUrl"] = "http://127.0.0.1:4567/" });

        var client = Assert.IsType<GameLiftClient>(provider.GetRequiredService<IGameLiftClient>());

        Assert.Equal(new Uri("http://127.0.0.1:4567/"), client.Endpoint);
    }

    [Fact]
    public void AddGameLiftClient_NoRegion_FailsValidationNamingTheKey()
    {
        using var provider = Provider([]);

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GameLiftOptions>>().Value);

        Assert.Contains("MetaServer:GameLift:Region is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AccessKeyWithoutSecret_Fails()
    {
        var result = new GameLiftOptionsValidator().Validate(null, new GameLiftOptions { Region = "eu-west-1", AccessKey = "AKID" });

        Assert.True(result.Failed);
        Assert.Contains("MetaServer:GameLift:AccessKey and MetaServer:GameLift:SecretKey go together", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ServiceUrlNotHttp_Fails()
    {
        var result = new GameLiftOptionsValidator().Validate(null, new GameLiftOptions { Region = "eu-west-1", ServiceUrl = "ftp://x" });

        Assert.True(result.Failed);
        Assert.Contains("MetaServer:GameLift:ServiceUrl", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new GameLiftOptionsValidator().Validate(null, new GameLiftOptions { Region = "eu-west-1" }).Succeeded);
    }
}
