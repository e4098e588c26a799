using System.Text;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.Events;

/// <summary>Options of the matchmaking events queue, bound from <c>MetaServer:Matchmaking</c>.</summary>
public sealed class MatchmakingEventsOptions
{
    /// <summary>
    /// The queue FlexMatch events arrive on. In production: the SQS queue subscribed to the FlexMatch SNS topic, created
    /// and owned by the infrastructure (then MetaServer does not create it). Default: the deployment's queue of
    /// <see cref="MessageTypes.MatchesMatchmakingEvent"/>, created (with its dead-letter queue) at start-up.
    /// </summary>
    public string? EventsQueueName { get; set; }
}

/// <summary>Where matchmaking events go and come from (the offline matchmaker writes there, the event pipeline reads it).</summary>
public sealed class MatchmakingEventsQueue
{
    public MatchmakingEventsQueue(IOptions<MatchmakingEventsOptions> options, QueueNames queueNames)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(queueNames);
        var configured = options.Value.EventsQueueName;
        IsExternal = !string.IsNullOrWhiteSpace(configured);
        Name = IsExternal ? configured!.Trim() : queueNames.ForMessageType(MessageTypes.MatchesMatchmakingEvent);
    }

    public string Name { get; }

    /// <summary>True when the queue is configured by name (owned by the infrastructure): MetaServer never creates it.</summary>
    public bool IsExternal { get; }

    /// <summary>Creates the queue and its dead-letter queue, with the event pipeline's settings, unless it is external (idempotent).</summary>
    public async ValueTask EnsureCreatedAsync(IMessageTransport transport, IOptionsMonitor<PipelineOptions> pipelineOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(pipelineOptions);
        if (!IsExternal)
        {
            await MessagePipeline.EnsureQueuesAsync(transport, Name, pipelineOptions.Get(MessageTypes.MatchesMatchmakingEvent), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Registers the options (validated at start) and this singleton; idempotent.</summary>
    internal static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MatchmakingEventsOptions>()
            .Bind(configuration.GetSection(RuleSets.MatchmakingOptions.SectionName))
            .Validate(
                o => string.IsNullOrWhiteSpace(o.EventsQueueName) || IsValidQueueName(o.EventsQueueName.Trim()),
                $"{RuleSets.MatchmakingOptions.SectionName}:EventsQueueName: must be 1-{TransportLimits.MaxQueueNameLength} letters, digits, '-' or '_'")
            .ValidateOnStart();
        services.TryAddSingleton<MatchmakingEventsQueue>();
        services.AddMessagePipelines();
    }

    private static bool IsValidQueueName(string name)
    {
        try
        {
            QueueNames.Validate(name);
            return true;
        }
        catch (TransportException)
        {
            return false;
        }
    }
}

/// <summary>Hands each raw body of the events queue (SNS notification or raw event JSON) to the <see cref="IMatchmakingEventHandler"/>.</summary>
public sealed class MatchmakingEventMessageHandler(IMatchmakingEventHandler handler, ILogger<MatchmakingEventMessageHandler> logger) : IRawMessageHandler
{
    public string Name => MessageTypes.MatchesMatchmakingEvent;

    public ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(RawIncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        MatchmakingEvent matchmakingEvent;
        try
        {
            matchmakingEvent = MatchmakingEventParser.Parse(Encoding.UTF8.GetString(message.Body.Span));
        }
        catch (MatchmakingEventParseException ex)
        {
            MatchmakingLog.UnparseableEvent(logger, message.MessageId, message.QueueName, message.ReceiveCount, ex.Field, ex.Message);
            throw;
        }

        return handler.HandleAsync(matchmakingEvent, cancellationToken);
    }
}

/// <summary>Runs the matchmaking event pipeline: creates the events queue (unless external) and reads it.</summary>
internal sealed class MatchmakingEventPipelineService(
    MatchmakingEventsQueue queue,
    IMatchmakingEventHandler handler,
    IMessageTransport transport,
    IOptionsMonitor<PipelineOptions> pipelineOptions,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private MessagePipeline? _pipeline;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = pipelineOptions.Get(MessageTypes.MatchesMatchmakingEvent);
        await queue.EnsureCreatedAsync(transport, pipelineOptions, cancellationToken).ConfigureAwait(false);
        _pipeline = new MessagePipeline(
            transport,
            new MatchmakingEventMessageHandler(handler, loggerFactory.CreateLogger<MatchmakingEventMessageHandler>()),
            queue.Name,
            options,
            timeProvider,
            loggerFactory.CreateLogger<MessagePipeline>());
        _pipeline.Start();
    }

    public Task StopAsync(CancellationToken cancellationToken) => _pipeline?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _pipeline?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public static class MatchmakingEventPipelineServiceCollectionExtensions
{
    /// <summary>
    /// Reads the matchmaking events queue (<c>MetaServer:Matchmaking:EventsQueueName</c>, default the deployment's
    /// <see cref="MessageTypes.MatchesMatchmakingEvent"/> queue) and hands every event to the registered
    /// <see cref="IMatchmakingEventHandler"/>. Bodies are SNS notifications or raw event JSON (no queue envelope); a body
    /// that does not parse is logged and left on the queue, so it reaches the dead-letter queue after the max receive
    /// count. Pipeline options come from <c>MetaServer:Pipelines:Default</c> / <c>MetaServer:Pipelines:matches.matchmaking-event</c>.
    /// Needs <see cref="IMessageTransport"/>, <see cref="QueueNames"/>, <see cref="TimeProvider"/> (AddMetaServerCore).
    /// </summary>
    public static IServiceCollection AddMatchmakingEventPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        MatchmakingEventsQueue.Register(services, configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MatchmakingEventPipelineService>());
        return services;
    }
}
