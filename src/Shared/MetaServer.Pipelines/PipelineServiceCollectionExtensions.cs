using System.ComponentModel.DataAnnotations;
using MetaServer.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Pipelines;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>Configuration section holding the pipeline options: <c>Default</c>, then one sub-section per message type.</summary>
    public const string SectionName = "MetaServer:Pipelines";

    /// <summary>Name of the sub-section every pipeline starts from.</summary>
    public const string DefaultSectionName = "Default";

    /// <summary>
    /// Registers one hosted service that, on start, runs a <see cref="MessagePipeline"/> for every
    /// <see cref="IMessageHandler"/> registered in DI, after creating its dead-letter and request queues.
    /// Options of the pipeline for message type <c>T</c> (named options <c>T</c> of <see cref="PipelineOptions"/>)
    /// come from <c>MetaServer:Pipelines:Default</c> overridden by <c>MetaServer:Pipelines:T</c>, and are validated
    /// at start-up. Needs <see cref="IMessageTransport"/>, <see cref="QueueNames"/>, <see cref="TimeProvider"/>,
    /// <see cref="IConfiguration"/> and logging in DI. Calling it more than once registers the service once.
    /// </summary>
    public static IServiceCollection AddMessagePipelines(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PipelineOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<PipelineOptions>, PipelineOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PipelineHostedService>());
        return services;
    }

    /// <summary>Binds <c>Default</c>, then the section named after the message type, for every named instance.</summary>
    private sealed class PipelineOptionsSetup(IConfiguration configuration) : IConfigureNamedOptions<PipelineOptions>
    {
        public void Configure(PipelineOptions options) => Configure(Options.DefaultName, options);

        public void Configure(string? name, PipelineOptions options)
        {
            var section = configuration.GetSection(SectionName);
            section.GetSection(DefaultSectionName).Bind(options);
            if (!string.IsNullOrEmpty(name))
            {
                section.GetSection(name).Bind(options);
            }
        }
    }

    /// <summary>Data-annotation validation of every named instance.</summary>
    private sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
    {
        public ValidateOptionsResult Validate(string? name, PipelineOptions options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            var where = string.IsNullOrEmpty(name) ? DefaultSectionName : name;
            return ValidateOptionsResult.Fail(results.Select(r => $"{SectionName}:{where}: {r.ErrorMessage}"));
        }
    }
}

/// <summary>Runs one <see cref="MessagePipeline"/> per registered <see cref="IMessageHandler"/>.</summary>
internal sealed class PipelineHostedService(
    IEnumerable<IMessageHandler> handlers,
    IMessageTransport transport,
    QueueNames queueNames,
    IOptionsMonitor<PipelineOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<PipelineHostedService>();
    private readonly List<MessagePipeline> _pipelines = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolve and validate every pipeline's options before touching any queue.
        var plans = new List<(IMessageHandler Handler, string Queue, PipelineOptions Options)>();
        foreach (var handler in handlers)
        {
            if (plans.Exists(p => string.Equals(p.Handler.MessageType, handler.MessageType, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"More than one IMessageHandler is registered for message type '{handler.MessageType}'.");
            }

            plans.Add((handler, queueNames.ForMessageType(handler.MessageType), options.Get(handler.MessageType)));
        }

        foreach (var (handler, queue, pipelineOptions) in plans)
        {
            await MessagePipeline.EnsureQueuesAsync(transport, queue, pipelineOptions, cancellationToken).ConfigureAwait(false);
            PipelineLog.QueuesReady(_logger, handler.MessageType, queue, QueueNames.DeadLetterOf(queue), pipelineOptions.MaxReceiveCount);
        }

        foreach (var (handler, queue, pipelineOptions) in plans)
        {
            var pipeline = new MessagePipeline(transport, handler, queue, pipelineOptions, timeProvider, loggerFactory.CreateLogger<MessagePipeline>());
            pipeline.Start();
            _pipelines.Add(pipeline);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_pipelines.Select(p => p.StopAsync(cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        foreach (var pipeline in _pipelines)
        {
            await pipeline.DisposeAsync().ConfigureAwait(false);
        }
    }
}
