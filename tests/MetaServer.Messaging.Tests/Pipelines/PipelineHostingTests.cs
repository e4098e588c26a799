using System.Text;
using MetaServer.Messaging.Embedded;
using MetaServer.Pipelines;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Messaging.Tests.Pipelines;

public sealed class PipelineHostingTests
{
    private const string EchoType = "test.echo";
    private const string OtherType = "test.other";
    private readonly EmbeddedTransport _transport = new(TimeProvider.System);
    private readonly QueueNames _names = new("t1");

    [Fact]
    public void AddMessagePipelines_CalledTwice_RegistersOneHostedService()
    {
        using var host = BuildHost([], new TestHandler(EchoType));

        var hosted = host.Services.GetServices<IHostedService>().Where(s => s.GetType().Name == "PipelineHostedService");

        Assert.Single(hosted);
    }

    [Fact]
    public async Task StartAsync_Handlers_CreatesQueuesWithConfiguredSettingsAndRunsPipelines()
    {
        var echo = new TestHandler(EchoType);
        var other = new TestHandler(OtherType);
        using var host = BuildHost(
            new Dictionary<string, string?>
            {
                ["MetaServer:Pipelines:Default:VisibilityTimeout"] = "00:00:07",
                ["MetaServer:Pipelines:Default:ConsumersPerProducer"] = "3",
                [$"MetaServer:Pipelines:{EchoType}:MaxReceiveCount"] = "3",
                [$"MetaServer:Pipelines:{EchoType}:Producers"] = "2",
            },
            echo,
            other);

        await host.StartAsync().WithTimeout("host start");
        try
        {
            var options = host.Services.GetRequiredService<IOptionsMonitor<PipelineOptions>>();
            var echoOptions = options.Get(EchoType);
            var otherOptions = options.Get(OtherType);
            Assert.Equal((TimeSpan.FromSeconds(7), 3, 3, 2), (echoOptions.VisibilityTimeout, echoOptions.ConsumersPerProducer, echoOptions.MaxReceiveCount, echoOptions.Producers));
            Assert.Equal((TimeSpan.FromSeconds(7), 3, 5, 1), (otherOptions.VisibilityTimeout, otherOptions.ConsumersPerProducer, otherOptions.MaxReceiveCount, otherOptions.Producers));

            var echoQueue = _names.ForMessageType(EchoType);
            Assert.True(await _transport.QueueExistsAsync(QueueNames.DeadLetterOf(echoQueue)));
            Assert.True(await _transport.QueueExistsAsync(_names.ForMessageType(OtherType)));

            // Creating again with the expected settings is a no-op (different settings would be applied).
            await _transport.CreateQueueAsync(echoQueue, new QueueSettings
            {
                VisibilityTimeout = TimeSpan.FromSeconds(7),
                Redrive = new RedrivePolicy(QueueNames.DeadLetterOf(echoQueue), 3),
            });

            await _transport.SendAsync(echoQueue, Envelope(EchoType, "hello"));
            await _transport.SendAsync(_names.ForMessageType(OtherType), Envelope(OtherType, "other"));
            Assert.Equal("hello", (await echo.Completed.Reader.ReadAsync().AsTask().WithTimeout("the echo handler")).Envelope.MessageId);
            Assert.Equal("other", (await other.Completed.Reader.ReadAsync().AsTask().WithTimeout("the other handler")).Envelope.MessageId);
        }
        finally
        {
            await host.StopAsync().WithTimeout("host stop");
        }
    }

    [Fact]
    public async Task StopAsync_BusyHandlers_DrainsEveryPipeline()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<IReadOnlyList<OutgoingMessage>> Blocked(IncomingMessage message, CancellationToken ct)
        {
            await gate.Task.WaitAsync(ct);
            return [];
        }

        var echo = new TestHandler(EchoType) { Behavior = Blocked };
        var other = new TestHandler(OtherType) { Behavior = Blocked };
        using var host = BuildHost([], echo, other);
        await host.StartAsync().WithTimeout("host start");
        await _transport.SendAsync(_names.ForMessageType(EchoType), Envelope(EchoType, "e"));
        await _transport.SendAsync(_names.ForMessageType(OtherType), Envelope(OtherType, "o"));
        await echo.Entered.Reader.ReadAsync().AsTask().WithTimeout("echo busy");
        await other.Entered.Reader.ReadAsync().AsTask().WithTimeout("other busy");

        var stopping = host.StopAsync();
        gate.SetResult();
        await stopping.WithTimeout("host stop");

        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(_names.ForMessageType(EchoType)));
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(_names.ForMessageType(OtherType)));
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_FailsWithoutCreatingQueues()
    {
        using var host = BuildHost(
            new Dictionary<string, string?> { [$"MetaServer:Pipelines:{EchoType}:Producers"] = "0" },
            new TestHandler(EchoType));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(EchoType, ex.Message, StringComparison.Ordinal);
        Assert.False(await _transport.QueueExistsAsync(_names.ForMessageType(EchoType)));
    }

    [Fact]
    public async Task StartAsync_InvalidDefaultOptions_FailsAtStartUp()
    {
        using var host = BuildHost(
            new Dictionary<string, string?> { ["MetaServer:Pipelines:Default:ReceiveWaitTime"] = "00:00:21" },
            new TestHandler(EchoType));

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Fact]
    public async Task StartAsync_TwoHandlersForOneType_Fails()
    {
        using var host = BuildHost([], new TestHandler(EchoType), new TestHandler(EchoType));

        await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
    }

    private static byte[] Envelope(string messageType, string messageId) => EnvelopeCodec.Encode(new MessageEnvelope
    {
        MessageType = messageType,
        MessageId = messageId,
        DeploymentVersion = "t1",
        Payload = Encoding.UTF8.GetBytes(messageId),
    });

    private IHost BuildHost(Dictionary<string, string?> settings, params IMessageHandler[] handlers)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_names);
        builder.Services.AddSingleton<IMessageTransport>(_transport);
        foreach (var handler in handlers)
        {
            builder.Services.AddSingleton(handler);
        }

        builder.Services.AddMessagePipelines();
        builder.Services.AddMessagePipelines();
        return builder.Build();
    }
}
