using MetaServer.Hosting;
using MetaServer.Messaging.Sqs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Messaging.Tests.Sqs;

public sealed class SqsHostingTests
{
    [Fact]
    public async Task AddMetaServerCore_TransportSqsInSeparateProcess_SelectsSqsTransport()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaServer:DeploymentVersion"] = "v1",
            ["MetaServer:Transport"] = "Sqs",
            ["MetaServer:Sqs:Region"] = "eu-west-1",
        }).Build();
        var services = new ServiceCollection().AddLogging();

        services.AddMetaServerCore(configuration, HostLayout.SeparateProcess);
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<SqsTransport>(provider.GetRequiredService<IMessageTransport>());
        Assert.Equal("eu-west-1", provider.GetRequiredService<IOptions<SqsOptions>>().Value.Region);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ReplyQueueJanitor);
        _ = provider.GetRequiredService<IOptions<MetaServerOptions>>().Value;
    }

    [Fact]
    public async Task AddMetaServerCore_TransportEmbedded_RegistersNoSqsServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaServer:DeploymentVersion"] = "v1",
        }).Build();
        var services = new ServiceCollection().AddLogging();

        services.AddMetaServerCore(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.IsNotType<SqsTransport>(provider.GetRequiredService<IMessageTransport>());
        Assert.Null(provider.GetService<ISqsClient>());
    }

    [Fact]
    public void Validate_DefaultLingers_Succeed()
    {
        var result = new SqsOptionsValidator().Validate(null, new SqsOptions { Region = "eu-west-1" });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("SendLinger", -1)]
    [InlineData("DeleteLinger", 1001)]
    [InlineData("ReceiveLinger", 1001)]
    public void Validate_LingerOutOfRange_FailsNamingTheKeys(string key, int milliseconds)
    {
        var options = new SqsOptions { Region = "eu-west-1" };
        var value = TimeSpan.FromMilliseconds(milliseconds);
        switch (key)
        {
            case "SendLinger":
                options.SendLinger = value;
                break;
            case "DeleteLinger":
                options.DeleteLinger = value;
                break;
            default:
                options.ReceiveLinger = value;
                break;
        }

        var result = new SqsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
