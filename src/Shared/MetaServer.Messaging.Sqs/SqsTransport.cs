using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MetaServer.Messaging.Sqs;

/// <summary>
/// <see cref="IMessageTransport"/> on Amazon SQS standard queues. Queue URLs are looked up once and cached;
/// binary bodies travel base64-encoded. To keep the number of SQS calls per message low under steady load
/// (<see cref="SqsOptions.BatchingEnabled"/>): every send and delete on a queue, single or batch, from any caller, goes
/// through one per-queue batcher that paces partial batch calls (<see cref="SqsOptions.SendLinger"/>,
/// <see cref="SqsOptions.DeleteLinger"/>), and long-poll receives on a queue that is trickling are paced
/// (<see cref="SqsOptions.ReceiveLinger"/>) so each brings several messages. Idle, nothing waits. Receipt handles handed out carry a short transport prefix so a
/// handle that did not come from a receive is rejected as <see cref="TransportErrorCodes.ReceiptHandleIsInvalid"/>
/// before any call, whatever the SQS endpoint does with it.
/// </summary>
public sealed class SqsTransport : IMessageTransport, IAsyncDisposable
{
    /// <summary>Tag on reply queues: unix seconds of the owner's last heartbeat.</summary>
    public const string HeartbeatTag = "metaserver:heartbeat";

    internal const string HandlePrefix = "ms1.";
    private static readonly TimeSpan MinMessageRetention = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MaxMessageRetention = TimeSpan.FromDays(14);
    private const int MaxRedriveReceiveCount = 1000;
    private static readonly string[] ReceiveAttributes = [SqsAttributeNames.ApproximateReceiveCount, SqsAttributeNames.SentTimestamp];
    private static readonly string[] CountAttributes = [SqsAttributeNames.ApproximateNumberOfMessages, SqsAttributeNames.ApproximateNumberOfMessagesNotVisible];

    private readonly ISqsClient _client;
    private readonly SqsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string? _replyQueuePrefix;
    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _arns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CallBatcher<string, string>> _sendBatchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CallBatcher<string, bool>> _deleteBatchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _ownedReplyQueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReceivePace> _receivePaces = new(StringComparer.Ordinal);

    /// <param name="replyQueuePrefix">
    /// Names starting with this are reply queues (<see cref="QueueNames.ReplyQueuePrefix"/>): the queues this process
    /// creates with it are tagged with a heartbeat and listed in <see cref="OwnedReplyQueues"/> for the janitor.
    /// </param>
    public SqsTransport(ISqsClient client, SqsOptions options, TimeProvider timeProvider, ILogger<SqsTransport> logger, string? replyQueuePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _replyQueuePrefix = string.IsNullOrEmpty(replyQueuePrefix) ? null : replyQueuePrefix;
    }

    /// <summary>Reply queues created (and not deleted) by this process; their heartbeat tag is kept fresh.</summary>
    public IReadOnlyCollection<string> OwnedReplyQueues => [.. _ownedReplyQueues.Keys];

    /// <summary>Batch calls made by the send and delete batchers (diagnostics).</summary>
    public long BatchCallCount => _sendBatchers.Values.Sum(b => b.CallCount) + _deleteBatchers.Values.Sum(b => b.CallCount);

    public async ValueTask CreateQueueAsync(string queueName, QueueSettings settings, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(settings);
        ValidateSettings(queueName, settings);

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SqsAttributeNames.VisibilityTimeout] = Seconds(settings.VisibilityTimeout),
            [SqsAttributeNames.MessageRetentionPeriod] = Seconds(settings.MessageRetention),
            [SqsAttributeNames.MaximumMessageSize] = TransportLimits.MaxEncodedBodyBytes.ToString(CultureInfo.InvariantCulture),
        };
        if (settings.Redrive is { } redrive)
        {
            string deadLetterUrl;
            try
            {
                deadLetterUrl = await GetUrlAsync(redrive.DeadLetterQueueName, cancellationToken);
            }
            catch (QueueDoesNotExistException ex)
            {
                throw new TransportException(
                    TransportErrorCodes.InvalidParameterValue,
                    $"The redrive policy of queue '{queueName}' names dead-letter queue '{redrive.DeadLetterQueueName}', which does not exist. Create the dead-letter queue first.",
                    ex);
            }

            var arn = await GetArnAsync(redrive.DeadLetterQueueName, deadLetterUrl, cancellationToken);
            attributes[SqsAttributeNames.RedrivePolicy] = JsonSerializer.Serialize(new RedrivePolicyJson(arn, redrive.MaxReceiveCount));
        }

        var isReplyQueue = _replyQueuePrefix is not null && queueName.StartsWith(_replyQueuePrefix, StringComparison.Ordinal);
        var tags = isReplyQueue ? HeartbeatTags() : null;
        string url;
        var existed = false;
        try
        {
            url = (await _client.CreateQueueAsync(new CreateQueueRequest { QueueName = queueName, Attributes = attributes, Tags = tags }, cancellationToken)).QueueUrl;
        }
        catch (TransportException ex) when (ex.ErrorCode == TransportErrorCodes.QueueNameExists)
        {
            // The queue exists with other attributes: apply the requested ones, so a changed visibility timeout or
            // redrive policy takes effect. An existing redrive policy the settings no longer name is removed.
            existed = true;
            url = (await _client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queueName }, cancellationToken)).QueueUrl;
            if (settings.Redrive is null)
            {
                attributes[SqsAttributeNames.RedrivePolicy] = string.Empty;
            }

            await _client.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = url, Attributes = attributes }, cancellationToken);
            SqsLog.QueueAttributesUpdated(_logger, queueName);
        }

        _urls[queueName] = url;
        if (isReplyQueue)
        {
            if (existed)
            {
                await _client.TagQueueAsync(new TagQueueRequest { QueueUrl = url, Tags = HeartbeatTags() }, cancellationToken);
            }

            _ownedReplyQueues[queueName] = 0;
        }
    }

    public async ValueTask DeleteQueueAsync(string queueName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        var url = await GetUrlAsync(queueName, cancellationToken);
        try
        {
            await _client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url }, cancellationToken);
        }
        catch (QueueDoesNotExistException)
        {
            Forget(queueName);
            throw new QueueDoesNotExistException(queueName);
        }

        Forget(queueName);
    }

    public async ValueTask<bool> QueueExistsAsync(string queueName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        try
        {
            // Always asked afresh: the cache may hold a queue another process deleted.
            var url = (await _client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queueName }, cancellationToken)).QueueUrl;
            _urls[queueName] = url;
            return true;
        }
        catch (QueueDoesNotExistException)
        {
            _urls.TryRemove(queueName, out _);
            return false;
        }
    }

    public async ValueTask<string> SendAsync(string queueName, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        if (body.Length > TransportLimits.MaxBodyBytes)
        {
            throw new MessageTooLargeException(body.Length);
        }

        var url = await GetUrlAsync(queueName, cancellationToken);
        var encoded = Convert.ToBase64String(body.Span);
        return await ForgettingMissingAsync(queueName, async () =>
        {
            if (_options.BatchingEnabled)
            {
                return await SendBatcher(url).EnqueueAsync(encoded, cancellationToken);
            }

            return (await _client.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = encoded }, cancellationToken)).MessageId;
        });
    }

    public async ValueTask<IReadOnlyList<BatchEntryResult>> SendBatchAsync(string queueName, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        ValidateBatchSize(bodies.Count);
        var url = await GetUrlAsync(queueName, cancellationToken);
        var results = new BatchEntryResult[bodies.Count];
        var entries = new List<SendMessageBatchRequestEntry>(bodies.Count);
        for (var i = 0; i < bodies.Count; i++)
        {
            if (bodies[i].Length > TransportLimits.MaxBodyBytes)
            {
                results[i] = BatchEntryResult.Failure(i, TransportErrorCodes.MessageTooLarge, new MessageTooLargeException(bodies[i].Length).Message);
                continue;
            }

            entries.Add(new SendMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), MessageBody = Convert.ToBase64String(bodies[i].Span) });
        }

        if (_options.BatchingEnabled && entries.Count > 0)
        {
            // Through the queue's send batcher, so messages of many callers (e.g. the replies of concurrent pipeline
            // consumers to one reply queue) share calls; each entry still gets its own outcome.
            var batcher = SendBatcher(url);
            var items = entries.ConvertAll(e => (Index: int.Parse(e.Id, CultureInfo.InvariantCulture), Task: batcher.EnqueueAsync(e.MessageBody, cancellationToken)));
            await ForgettingMissingAsync(queueName, () => CollectAsync(items, results, (index, id) => BatchEntryResult.Success(index, id)));
            return results;
        }

        await ForgettingMissingAsync(queueName, async () =>
        {
            foreach (var chunk in ChunkByWeight(entries, e => e.MessageBody.Length))
            {
                var response = await _client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = url, Entries = chunk }, cancellationToken);
                foreach (var ok in response.Successful ?? [])
                {
                    var index = int.Parse(ok.Id, CultureInfo.InvariantCulture);
                    results[index] = BatchEntryResult.Success(index, ok.MessageId);
                }

                foreach (var failed in response.Failed ?? [])
                {
                    var index = int.Parse(failed.Id, CultureInfo.InvariantCulture);
                    results[index] = BatchEntryResult.Failure(index, SqsErrors.ToTransportCode(failed.Code), failed.Message ?? failed.Code);
                }
            }

            return true;
        });

        for (var i = 0; i < results.Length; i++)
        {
            results[i] ??= BatchEntryResult.Failure(i, "MissingBatchResult", "SQS reported no outcome for this entry.");
        }

        return results;
    }

    public async ValueTask<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queueName, ReceiveOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxMessages is < 1 or > TransportLimits.MaxReceiveMessages)
        {
            throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"MaxMessages must be between 1 and {TransportLimits.MaxReceiveMessages}; it was {options.MaxMessages}.");
        }

        if (options.WaitTime < TimeSpan.Zero || options.WaitTime > TransportLimits.MaxWaitTime)
        {
            throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"WaitTime must be between 0 and {TransportLimits.MaxWaitTime.TotalSeconds} s; it was {options.WaitTime}.");
        }

        if (options.VisibilityTimeout is { } visibility)
        {
            ValidateVisibilityTimeout(visibility, nameof(options.VisibilityTimeout));
        }

        var url = await GetUrlAsync(queueName, cancellationToken);
        var pace = _receivePaces.GetOrAdd(url, static _ => new ReceivePace());
        if (_options.ReceiveLinger > TimeSpan.Zero && options.WaitTime > TimeSpan.Zero && options.MaxMessages > 1)
        {
            // The last receive here was thin (some messages, fewer than asked): the queue is trickling. Polling again
            // at once would bring one message per call; waiting until ReceiveLinger after its start lets a few
            // accumulate. Idle queues (last receive empty) and backlogs (last receive full) are not paced, and the
            // wait is bounded by ReceiveLinger, so idle latency is unchanged and an idle receiver still long-polls.
            TimeSpan wait;
            lock (pace)
            {
                wait = pace.Thin ? _options.ReceiveLinger - _timeProvider.GetElapsedTime(pace.LastStart) : TimeSpan.Zero;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _timeProvider, cancellationToken);
            }
        }

        lock (pace)
        {
            pace.LastStart = _timeProvider.GetTimestamp();
            pace.Thin = false;
        }

        var response = await ForgettingMissingAsync(queueName, () => _client.ReceiveMessageAsync(
            new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = options.MaxMessages,
                WaitTimeSeconds = (int)Math.Ceiling(options.WaitTime.TotalSeconds),
                VisibilityTimeout = options.VisibilityTimeout is { } v ? (int)Math.Ceiling(v.TotalSeconds) : null,
                MessageSystemAttributeNames = ReceiveAttributes,
            },
            cancellationToken));

        var messages = response.Messages ?? [];
        lock (pace)
        {
            pace.Thin = messages.Count > 0 && messages.Count < options.MaxMessages;
        }

        var received = new List<ReceivedMessage>(messages.Count);
        foreach (var message in messages)
        {
            received.Add(new ReceivedMessage(
                message.MessageId,
                HandlePrefix + message.ReceiptHandle,
                DecodeBody(queueName, message),
                ReadInt(message.Attributes, SqsAttributeNames.ApproximateReceiveCount, 1),
                DateTimeOffset.FromUnixTimeMilliseconds(ReadLong(message.Attributes, SqsAttributeNames.SentTimestamp, 0))));
        }

        return received;
    }

    public async ValueTask DeleteAsync(string queueName, string receiptHandle, CancellationToken cancellationToken = default)
    {
        var handle = UnwrapHandle(receiptHandle) ?? throw InvalidHandle();
        var url = await GetUrlAsync(queueName, cancellationToken);
        await ForgettingMissingAsync(queueName, async () =>
        {
            if (_options.BatchingEnabled)
            {
                return await DeleteBatcher(url).EnqueueAsync(handle, cancellationToken);
            }

            await _client.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = url, ReceiptHandle = handle }, cancellationToken);
            return true;
        });
    }

    public async ValueTask<IReadOnlyList<BatchEntryResult>> DeleteBatchAsync(string queueName, IReadOnlyList<string> receiptHandles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receiptHandles);
        ValidateBatchSize(receiptHandles.Count);
        var url = await GetUrlAsync(queueName, cancellationToken);
        var results = new BatchEntryResult[receiptHandles.Count];
        var entries = new List<DeleteMessageBatchRequestEntry>(receiptHandles.Count);
        for (var i = 0; i < receiptHandles.Count; i++)
        {
            if (UnwrapHandle(receiptHandles[i]) is { } handle)
            {
                entries.Add(new DeleteMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), ReceiptHandle = handle });
            }
            else
            {
                results[i] = BatchEntryResult.Failure(i, TransportErrorCodes.ReceiptHandleIsInvalid, InvalidHandle().Message);
            }
        }

        if (_options.BatchingEnabled && entries.Count > 0)
        {
            var batcher = DeleteBatcher(url);
            var items = entries.ConvertAll(e => (Index: int.Parse(e.Id, CultureInfo.InvariantCulture), Task: batcher.EnqueueAsync(e.ReceiptHandle, cancellationToken)));
            await ForgettingMissingAsync(queueName, () => CollectAsync(items, results, (index, _) => BatchEntryResult.Success(index)));
        }
        else if (entries.Count > 0)
        {
            var response = await ForgettingMissingAsync(queueName, () => _client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest { QueueUrl = url, Entries = entries }, cancellationToken));
            foreach (var ok in response.Successful ?? [])
            {
                var index = int.Parse(ok.Id, CultureInfo.InvariantCulture);
                results[index] = BatchEntryResult.Success(index);
            }

            foreach (var failed in response.Failed ?? [])
            {
                var index = int.Parse(failed.Id, CultureInfo.InvariantCulture);
                results[index] = BatchEntryResult.Failure(index, SqsErrors.ToTransportCode(failed.Code), failed.Message ?? failed.Code);
            }
        }

        for (var i = 0; i < results.Length; i++)
        {
            results[i] ??= BatchEntryResult.Failure(i, "MissingBatchResult", "SQS reported no outcome for this entry.");
        }

        return results;
    }

    public async ValueTask ChangeVisibilityAsync(string queueName, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ValidateVisibilityTimeout(visibilityTimeout, nameof(visibilityTimeout));
        var handle = UnwrapHandle(receiptHandle) ?? throw InvalidHandle();
        var url = await GetUrlAsync(queueName, cancellationToken);
        await ForgettingMissingAsync(queueName, () => _client.ChangeMessageVisibilityAsync(
            new ChangeMessageVisibilityRequest { QueueUrl = url, ReceiptHandle = handle, VisibilityTimeout = (int)Math.Ceiling(visibilityTimeout.TotalSeconds) },
            cancellationToken));
    }

    public async ValueTask<QueueCounts> GetQueueCountsAsync(string queueName, CancellationToken cancellationToken = default)
    {
        var url = await GetUrlAsync(queueName, cancellationToken);
        var response = await ForgettingMissingAsync(queueName, () => _client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = CountAttributes }, cancellationToken));
        return new QueueCounts(
            ReadLong(response.Attributes, SqsAttributeNames.ApproximateNumberOfMessages, 0),
            ReadLong(response.Attributes, SqsAttributeNames.ApproximateNumberOfMessagesNotVisible, 0));
    }

    /// <summary>Tags every owned reply queue with a fresh heartbeat. A queue found missing is dropped from the owned set.</summary>
    public async Task HeartbeatReplyQueuesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var queueName in _ownedReplyQueues.Keys)
        {
            try
            {
                var url = await GetUrlAsync(queueName, cancellationToken);
                await _client.TagQueueAsync(new TagQueueRequest { QueueUrl = url, Tags = HeartbeatTags() }, cancellationToken);
            }
            catch (QueueDoesNotExistException)
            {
                // Deleted (by its owner or a janitor); an owner that still needs it recreates it, which registers it again.
                Forget(queueName);
            }
            catch (TransportException ex)
            {
                SqsLog.HeartbeatFailed(_logger, ex, queueName);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var batcher in _sendBatchers.Values)
        {
            await batcher.DisposeAsync();
        }

        foreach (var batcher in _deleteBatchers.Values)
        {
            await batcher.DisposeAsync();
        }
    }

    internal Dictionary<string, string> HeartbeatTags() => new(StringComparer.Ordinal)
    {
        [HeartbeatTag] = _timeProvider.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    private async ValueTask<string> GetUrlAsync(string queueName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        if (_urls.TryGetValue(queueName, out var url))
        {
            return url;
        }

        url = (await _client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queueName }, cancellationToken)).QueueUrl;
        _urls[queueName] = url;
        return url;
    }

    private async ValueTask<string> GetArnAsync(string queueName, string url, CancellationToken cancellationToken)
    {
        if (_arns.TryGetValue(queueName, out var arn))
        {
            return arn;
        }

        var response = await _client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = [SqsAttributeNames.QueueArn] }, cancellationToken);
        if (response.Attributes is null || !response.Attributes.TryGetValue(SqsAttributeNames.QueueArn, out arn) || string.IsNullOrEmpty(arn))
        {
            throw new SqsException("InvalidResponse", $"SQS returned no QueueArn for queue '{queueName}'.", "InvalidResponse", null, System.Net.HttpStatusCode.OK, null);
        }

        _arns[queueName] = arn;
        return arn;
    }

    /// <summary>Runs a call on a cached queue URL; if SQS says the queue is gone, drops it from the caches and reports it by name.</summary>
    private async Task<T> ForgettingMissingAsync<T>(string queueName, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (QueueDoesNotExistException)
        {
            Forget(queueName);
            throw new QueueDoesNotExistException(queueName);
        }
    }

    private void Forget(string queueName)
    {
        // Batchers stay: they are idle without work, and a recreated queue has the same URL.
        _urls.TryRemove(queueName, out _);
        _arns.TryRemove(queueName, out _);
        _ownedReplyQueues.TryRemove(queueName, out _);
    }

    private CallBatcher<string, string> SendBatcher(string url) => _sendBatchers.GetOrAdd(url, u => new CallBatcher<string, string>(
        (bodies, ct) => SendCoalescedAsync(u, bodies, ct),
        TransportLimits.MaxBatchSize,
        _options.MaxConcurrentBatchCalls,
        body => body.Length,
        TransportLimits.MaxEncodedBodyBytes,
        _options.SendLinger,
        _timeProvider));

    private CallBatcher<string, bool> DeleteBatcher(string url) => _deleteBatchers.GetOrAdd(url, u => new CallBatcher<string, bool>(
        (handles, ct) => DeleteCoalescedAsync(u, handles, ct),
        TransportLimits.MaxBatchSize,
        _options.MaxConcurrentBatchCalls,
        linger: _options.DeleteLinger,
        timeProvider: _timeProvider));

    /// <summary>
    /// Waits for the batcher items of one batch request and fills in <paramref name="results"/>: an entry SQS
    /// rejected becomes that entry's failure; a failed call (after the client's retries) or a cancellation is thrown,
    /// as a direct batch call would.
    /// </summary>
    private static async Task<bool> CollectAsync<T>(List<(int Index, Task<T> Task)> items, BatchEntryResult[] results, Func<int, T, BatchEntryResult> success)
    {
        try
        {
            await Task.WhenAll(items.Select(i => i.Task));
        }
        catch (Exception)
        {
            // Looked at entry by entry below.
        }

        Exception? callFailure = null;
        foreach (var (index, task) in items)
        {
            if (task.IsCompletedSuccessfully)
            {
                results[index] = success(index, task.Result);
            }
            else if (task.Exception?.InnerException is SqsBatchEntryException entry)
            {
                results[index] = BatchEntryResult.Failure(index, entry.ErrorCode, entry.Message);
            }
            else
            {
                callFailure ??= task.Exception?.InnerException ?? new OperationCanceledException();
            }
        }

        if (callFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(callFailure);
        }

        return true;
    }

    private async Task<IReadOnlyList<BatchItemOutcome<string>>> SendCoalescedAsync(string url, IReadOnlyList<string> bodies, CancellationToken cancellationToken)
    {
        if (bodies.Count == 1)
        {
            try
            {
                var single = await _client.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = bodies[0] }, cancellationToken);
                return [new BatchItemOutcome<string>(single.MessageId, null)];
            }
            catch (SqsException ex) when (IsEntryError(ex))
            {
                // What a batch call would have reported for this entry alone.
                return [new BatchItemOutcome<string>(null, new SqsBatchEntryException(ex.ErrorCode, ex.Message, ex.AwsErrorCode))];
            }
        }

        var entries = bodies.Select((b, i) => new SendMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), MessageBody = b }).ToList();
        var response = await _client.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = url, Entries = entries }, cancellationToken);
        var outcomes = new BatchItemOutcome<string>[bodies.Count];
        foreach (var ok in response.Successful ?? [])
        {
            outcomes[int.Parse(ok.Id, CultureInfo.InvariantCulture)] = new BatchItemOutcome<string>(ok.MessageId, null);
        }

        foreach (var failed in response.Failed ?? [])
        {
            outcomes[int.Parse(failed.Id, CultureInfo.InvariantCulture)] = new BatchItemOutcome<string>(null, EntryException(failed));
        }

        return FillMissing(outcomes);
    }

    private async Task<IReadOnlyList<BatchItemOutcome<bool>>> DeleteCoalescedAsync(string url, IReadOnlyList<string> handles, CancellationToken cancellationToken)
    {
        if (handles.Count == 1)
        {
            try
            {
                await _client.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = url, ReceiptHandle = handles[0] }, cancellationToken);
                return [new BatchItemOutcome<bool>(true, null)];
            }
            catch (SqsException ex) when (IsEntryError(ex))
            {
                return [new BatchItemOutcome<bool>(false, new SqsBatchEntryException(ex.ErrorCode, ex.Message, ex.AwsErrorCode))];
            }
        }

        var entries = handles.Select((h, i) => new DeleteMessageBatchRequestEntry { Id = i.ToString(CultureInfo.InvariantCulture), ReceiptHandle = h }).ToList();
        var response = await _client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest { QueueUrl = url, Entries = entries }, cancellationToken);
        var outcomes = new BatchItemOutcome<bool>[handles.Count];
        foreach (var ok in response.Successful ?? [])
        {
            outcomes[int.Parse(ok.Id, CultureInfo.InvariantCulture)] = new BatchItemOutcome<bool>(true, null);
        }

        foreach (var failed in response.Failed ?? [])
        {
            outcomes[int.Parse(failed.Id, CultureInfo.InvariantCulture)] = new BatchItemOutcome<bool>(false, EntryException(failed));
        }

        return FillMissing(outcomes);
    }

    /// <summary>Errors of a single-message call that concern that message (a batch call reports them per entry), not the call.</summary>
    private static bool IsEntryError(SqsException ex) =>
        !ex.IsRetryable && EntryErrorCodes.Any(code => ex.ErrorCode.EndsWith(code, StringComparison.Ordinal) || ex.AwsErrorCode.EndsWith(code, StringComparison.Ordinal));

    private static readonly string[] EntryErrorCodes =
        ["InvalidMessageContents", "ReceiptHandleIsInvalid", "InvalidIdFormat", "MessageNotInflight", "InvalidParameterValue", "InvalidAttributeValue"];

    private static BatchItemOutcome<T>[] FillMissing<T>(BatchItemOutcome<T>[] outcomes)
    {
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] == default)
            {
                outcomes[i] = new BatchItemOutcome<T>(default, new TransportException("MissingBatchResult", "SQS reported no outcome for this entry."));
            }
        }

        return outcomes;
    }

    private static SqsBatchEntryException EntryException(BatchResultErrorEntry failed) =>
        new(SqsErrors.ToTransportCode(failed.Code), $"SQS error {failed.Code}: {failed.Message}", failed.Code);

    private static IEnumerable<List<SendMessageBatchRequestEntry>> ChunkByWeight(List<SendMessageBatchRequestEntry> entries, Func<SendMessageBatchRequestEntry, long> weight)
    {
        var chunk = new List<SendMessageBatchRequestEntry>();
        long total = 0;
        foreach (var entry in entries)
        {
            var w = weight(entry);
            if (chunk.Count > 0 && total + w > TransportLimits.MaxEncodedBodyBytes)
            {
                yield return chunk;
                chunk = [];
                total = 0;
            }

            chunk.Add(entry);
            total += w;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private ReadOnlyMemory<byte> DecodeBody(string queueName, SqsMessage message)
    {
        var bytes = new byte[(message.Body.Length / 4 * 3) + 3];
        if (Convert.TryFromBase64String(message.Body, bytes, out var written))
        {
            return bytes.AsMemory(0, written);
        }

        // Not written by this transport: hand it over as text; the envelope decoder rejects it as poison.
        SqsLog.BodyNotBase64(_logger, message.MessageId, queueName);
        return Encoding.UTF8.GetBytes(message.Body);
    }

    private static string? UnwrapHandle(string? receiptHandle) =>
        receiptHandle is not null && receiptHandle.Length > HandlePrefix.Length && receiptHandle.StartsWith(HandlePrefix, StringComparison.Ordinal)
            ? receiptHandle[HandlePrefix.Length..]
            : null;

    private static TransportException InvalidHandle() =>
        new(TransportErrorCodes.ReceiptHandleIsInvalid, "The receipt handle is invalid: it did not come from a receive on this transport.");

    private static void ValidateBatchSize(int count)
    {
        if (count == 0)
        {
            throw new TransportException(TransportErrorCodes.EmptyBatchRequest, "The batch request contains no entries.");
        }

        if (count > TransportLimits.MaxBatchSize)
        {
            throw new TransportException(TransportErrorCodes.TooManyEntriesInBatchRequest, $"A batch takes at most {TransportLimits.MaxBatchSize} entries; it had {count}.");
        }
    }

    private static void ValidateSettings(string queueName, QueueSettings settings)
    {
        ValidateVisibilityTimeout(settings.VisibilityTimeout, nameof(settings.VisibilityTimeout));
        if (settings.MessageRetention < MinMessageRetention || settings.MessageRetention > MaxMessageRetention)
        {
            throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"MessageRetention must be between {MinMessageRetention} and {MaxMessageRetention}; it was {settings.MessageRetention}.");
        }

        if (settings.Redrive is { } redrive)
        {
            QueueNames.Validate(redrive.DeadLetterQueueName);
            if (redrive.MaxReceiveCount is < 1 or > MaxRedriveReceiveCount)
            {
                throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"The redrive MaxReceiveCount must be between 1 and {MaxRedriveReceiveCount}; it was {redrive.MaxReceiveCount}.");
            }

            if (string.Equals(redrive.DeadLetterQueueName, queueName, StringComparison.Ordinal))
            {
                throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"Queue '{queueName}' cannot be its own dead-letter queue.");
            }
        }
    }

    private static void ValidateVisibilityTimeout(TimeSpan value, string what)
    {
        if (value < TimeSpan.Zero || value > TransportLimits.MaxVisibilityTimeout)
        {
            throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"{what} must be between 0 and {TransportLimits.MaxVisibilityTimeout.TotalHours} h; it was {value}.");
        }
    }

    private static string Seconds(TimeSpan value) => ((long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static int ReadInt(IReadOnlyDictionary<string, string>? attributes, string name, int fallback) =>
        attributes is not null && attributes.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static long ReadLong(IReadOnlyDictionary<string, string>? attributes, string name, long fallback) =>
        attributes is not null && attributes.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    /// <summary>Receive pacing state of one queue (guarded by locking the instance).</summary>
    private sealed class ReceivePace
    {
        public long LastStart { get; set; }

        public bool Thin { get; set; }
    }

    private sealed record RedrivePolicyJson(
        [property: System.Text.Json.Serialization.JsonPropertyName("deadLetterTargetArn")] string DeadLetterTargetArn,
        [property: System.Text.Json.Serialization.JsonPropertyName("maxReceiveCount")] int MaxReceiveCount);
}
