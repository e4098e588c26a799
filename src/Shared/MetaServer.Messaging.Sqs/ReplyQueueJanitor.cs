using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MetaServer.Messaging.Sqs;

/// <summary>
/// Keeps reply queues from leaking when a frontend dies without deleting its own. Every process tags the reply
/// queues it created with <see cref="SqsTransport.HeartbeatTag"/> (unix seconds) each
/// <see cref="SqsOptions.ReplyQueueHeartbeatInterval"/>; each <see cref="SqsOptions.ReplyQueueSweepInterval"/> it
/// lists the queues named with the reply prefix and deletes those whose heartbeat (or, untagged, whose creation)
/// is older than <see cref="SqsOptions.ReplyQueueOrphanAge"/>. A tag rather than LastModifiedTimestamp, because
/// SQS moves that timestamp only on attribute changes, and setting attributes as a heartbeat would be a side effect.
/// </summary>
public sealed class ReplyQueueJanitor : BackgroundService
{
    private readonly ISqsClient _client;
    private readonly SqsTransport _transport;
    private readonly SqsOptions _options;
    private readonly string _replyQueuePrefix;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ReplyQueueJanitor(ISqsClient client, SqsTransport transport, SqsOptions options, string replyQueuePrefix, TimeProvider timeProvider, ILogger<ReplyQueueJanitor> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(replyQueuePrefix);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _transport = transport;
        _options = options;
        _replyQueuePrefix = replyQueuePrefix;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Deletes abandoned reply queues (not those this process owns) and returns their names.
    /// </summary>
    public async Task<IReadOnlyList<string>> SweepAsync(CancellationToken cancellationToken = default)
    {
        var owned = _transport.OwnedReplyQueues.ToHashSet(StringComparer.Ordinal);
        var now = _timeProvider.GetUtcNow();
        var deleted = new List<string>();
        string? nextToken = null;
        do
        {
            var page = await _client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = _replyQueuePrefix, MaxResults = 1000, NextToken = nextToken }, cancellationToken);
            nextToken = page.NextToken;
            foreach (var url in page.QueueUrls ?? [])
            {
                var name = SqsErrors.QueueNameOf(url);
                if (owned.Contains(name) || !name.StartsWith(_replyQueuePrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                try
                {
                    var lastSign = await LastSignOfLifeAsync(url, cancellationToken);
                    if (lastSign is { } seen && now - seen <= _options.ReplyQueueOrphanAge)
                    {
                        continue;
                    }

                    await _client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url }, cancellationToken);
                    SqsLog.OrphanDeleted(_logger, name, lastSign?.ToString("O", CultureInfo.InvariantCulture) ?? "never");
                    deleted.Add(name);
                }
                catch (QueueDoesNotExistException)
                {
                    // Deleted meanwhile (by its owner or another janitor).
                }
            }
        }
        while (!string.IsNullOrEmpty(nextToken));

        return deleted;
    }

    /// <summary>The heartbeat tag, or the creation time of an untagged queue; null when neither can be read.</summary>
    private async Task<DateTimeOffset?> LastSignOfLifeAsync(string url, CancellationToken cancellationToken)
    {
        var tags = await _client.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = url }, cancellationToken);
        if (tags.Tags is not null && tags.Tags.TryGetValue(SqsTransport.HeartbeatTag, out var text)
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        var attributes = await _client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = [SqsAttributeNames.CreatedTimestamp] }, cancellationToken);
        return attributes.Attributes is not null && attributes.Attributes.TryGetValue(SqsAttributeNames.CreatedTimestamp, out var created)
            && long.TryParse(created, NumberStyles.Integer, CultureInfo.InvariantCulture, out var createdSeconds)
            ? DateTimeOffset.FromUnixTimeSeconds(createdSeconds)
            : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ReplyQueueHeartbeatInterval, _timeProvider);
        // Spread the sweeps of many processes over the interval.
        var nextSweep = _timeProvider.GetUtcNow() + (_options.ReplyQueueSweepInterval * Random.Shared.NextDouble());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await _transport.HeartbeatReplyQueuesAsync(stoppingToken);
                if (!_options.ReplyQueueJanitorEnabled || _timeProvider.GetUtcNow() < nextSweep)
                {
                    continue;
                }

                nextSweep = _timeProvider.GetUtcNow() + (_options.ReplyQueueSweepInterval * (0.75 + (Random.Shared.NextDouble() / 2)));
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (TransportException ex)
                {
                    SqsLog.SweepFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
