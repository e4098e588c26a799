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
}
