using System.Text;
using System.Threading.Channels;
using MetaServer.Matchmaking.Events;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Pipelines;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetaServer.Matchmaking.Tests.Events;

public sealed class MatchmakingEventPipelineTests
{
    private const string Queue = "v1-req-matches-matchmaking-event";

    [Fact]
    public async Task AddMatchmakingEventPipeline_RawAndSnsBodies_DeliveredToHandler()
    {
        var handler = new ChannelHandler();
        var transport = new EmbeddedTransport(TimeProvider.System);
        using var host = BuildHost(transport, handler);
        await host.StartAsync(CancellationToken.None);
        try
        {
            await transport.SendAsync(Queue, Encoding.UTF8.GetBytes(MatchmakingEventFixtures.Searching));
            await transport.SendAsync(Queue, Encoding.UTF8.GetBytes(MatchmakingEventFixtures.InSnsEnvelope(MatchmakingEventFixtures.Succeeded)));

            var first = await handler.Events.Reader.ReadAsync().AsTask().WithTimeout("first event");
            var second = await handler.Events.Reader.ReadAsync().AsTask().WithTimeout("second event");

            Assert.Equal(
                [MatchmakingEventType.MatchmakingSearching, MatchmakingEventType.MatchmakingSucceeded],
                new[] { first, second }.Select(e => e.Type).Order());
            Assert.Contains(new[] { first, second }, e => e.SnsMessageId is not null);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task AddMatchmakingEventPipeline_GarbageBody_GoesToDeadLetterQueueAndHandlerNeverCalled()
    {
        var handler = new ChannelHandler();
        var transport = new EmbeddedTransport(TimeProvider.System);
        using var host = BuildHost(transport, handler);
        await host.StartAsync(CancellationToken.None);
        try
        {
            await transport.SendAsync(Queue, Encoding.UTF8.GetBytes("{\"not\":\"an event\"}"));

            var dead = await transport.ReceiveAsync(
                QueueNames.DeadLetterOf(Queue),
                new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(20) }).AsTask().WithTimeout("dead letter");

            Assert.Equal("{\"not\":\"an event\"}", Encoding.UTF8.GetString(Assert.Single(dead).Body.Span));
            Assert.False(handler.Events.Reader.TryRead(out _));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static IHost BuildHost(EmbeddedTransport transport, IMatchmakingEventHandler handler)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaServer:Pipelines:Default:MaxReceiveCount"] = "1",
            ["MetaServer:Pipelines:Default:VisibilityTimeout"] = "00:00:01",
            ["MetaServer:Pipelines:Default:ReceiveWaitTime"] = "00:00:01",
        });
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Critical));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new QueueNames("v1"));
        builder.Services.AddSingleton<IMessageTransport>(transport);
        builder.Services.AddSingleton(handler);
        builder.Services.AddMatchmakingEventPipeline(builder.Configuration);
        return builder.Build();
    }

    private sealed class ChannelHandler : IMatchmakingEventHandler
    {
        public Channel<MatchmakingEvent> Events { get; } = Channel.CreateUnbounded<MatchmakingEvent>();

        public ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(MatchmakingEvent matchmakingEvent, CancellationToken cancellationToken)
        {
            Events.Writer.TryWrite(matchmakingEvent);
            return ValueTask.FromResult<IReadOnlyList<OutgoingMessage>>([]);
        }
    }
}
