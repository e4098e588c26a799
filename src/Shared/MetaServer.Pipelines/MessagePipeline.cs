using MetaServer.Messaging;
using Microsoft.Extensions.Logging;

namespace MetaServer.Pipelines;

/// <summary>
/// Runs one <see cref="IMessageHandler"/> (or <see cref="IRawMessageHandler"/>) over one request queue: <see cref="PipelineOptions.Producers"/>
/// receive loops, each feeding up to <see cref="PipelineOptions.ConsumersPerProducer"/> concurrent
/// consumers. Back-pressure is applied at the receive call: a producer only asks the transport for as
/// many messages as it has free consumers (at most 10), so it never has more messages in handling than
/// consumers. A consumer decodes the envelope, runs the handler (renewing the message's visibility while it
/// runs), sends the outgoing messages and only then deletes the input. The consumer is free again once the
/// outgoing messages are sent: the delete completes after it (a batching transport may hold it a few ms to share
/// a call with other deletes), still counted in <see cref="InFlight"/> and awaited by a stop. Anything not
/// deleted returns after its visibility timeout and reaches the dead-letter queue after the queue's max receive count.
/// </summary>
public sealed class MessagePipeline : IAsyncDisposable
{
    private static readonly TimeSpan MinIdleInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IMessageTransport _transport;
    private readonly IMessageHandler? _handler;
    private readonly IRawMessageHandler? _rawHandler;
    private readonly string _handlerName;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopReceiving = new();
    private readonly CancellationTokenSource _cancelHandlers = new();
    private readonly Lock _stateGate = new();
    private Task<List<Task>>[] _producers = [];
    private Task? _stopTask;
    private int _inFlight;

    public MessagePipeline(
        IMessageTransport transport,
        IMessageHandler handler,
        string queueName,
        PipelineOptions options,
        TimeProvider timeProvider,
        ILogger<MessagePipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _transport = transport;
        _handler = handler;
        _handlerName = handler.MessageType;
        QueueName = queueName;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// A pipeline whose handler takes message bodies as they are (no <see cref="MessageEnvelope"/> is decoded), for queues
    /// other systems write to (e.g. SNS notifications). Receiving, back-pressure, visibility renewal, deletion and drain
    /// are the same as for an envelope pipeline.
    /// </summary>
    public MessagePipeline(
        IMessageTransport transport,
        IRawMessageHandler handler,
        string queueName,
        PipelineOptions options,
        TimeProvider timeProvider,
        ILogger<MessagePipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _transport = transport;
        _rawHandler = handler;
        _handlerName = handler.Name;
        QueueName = queueName;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The request queue this pipeline reads.</summary>
    public string QueueName { get; }

    /// <summary>Messages received and not yet finished (handled, sent and deleted, or given up on).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Creates the dead-letter queue <see cref="QueueNames.DeadLetterOf"/> and the request queue with the
    /// pipeline's visibility timeout and redrive policy (idempotent).
    /// </summary>
    public static async ValueTask EnsureQueuesAsync(IMessageTransport transport, string queueName, PipelineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        var deadLetterQueue = QueueNames.DeadLetterOf(queueName);
        await transport.CreateQueueAsync(deadLetterQueue, DeadLetterQueueSettings, cancellationToken).ConfigureAwait(false);
        await transport.CreateQueueAsync(queueName, RequestQueueSettings(queueName, options), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Settings of a dead-letter queue: the longest retention, so failures can be inspected.</summary>
    public static QueueSettings DeadLetterQueueSettings { get; } = new() { MessageRetention = TimeSpan.FromDays(14) };

    /// <summary>Settings of a request queue run with <paramref name="options"/>.</summary>
    public static QueueSettings RequestQueueSettings(string queueName, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new QueueSettings
        {
            VisibilityTimeout = options.VisibilityTimeout,
            Redrive = new RedrivePolicy(QueueNames.DeadLetterOf(queueName), options.MaxReceiveCount),
        };
    }

    /// <summary>Starts the producers. A pipeline starts once; create a new one to run again after a stop.</summary>
    public void Start()
    {
        lock (_stateGate)
        {
            if (_producers.Length > 0 || _stopTask is not null)
            {
                throw new InvalidOperationException($"The pipeline for queue '{QueueName}' was already started.");
            }

            _producers = new Task<List<Task>>[_options.Producers];
            for (var i = 0; i < _producers.Length; i++)
            {
                _producers[i] = Task.Run(RunProducerAsync);
            }
        }

        PipelineLog.Started(_logger, QueueName, _options.Producers, _options.ConsumersPerProducer);
    }

    /// <summary>
    /// Two-phase stop: stops receiving at once (cancelling the long polls; nothing received is lost), lets
    /// in-flight handlers finish within <see cref="PipelineOptions.DrainTimeout"/>, then cancels them. A
    /// cancelled handler's message is not deleted and returns after its visibility timeout. When
    /// <paramref name="cancellationToken"/> fires the drain ends early (handlers are cancelled), and the call
    /// returns without waiting for handlers that ignore cancellation.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateGate)
        {
            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopReceiving.Dispose();
        _cancelHandlers.Dispose();
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        await _stopReceiving.CancelAsync().ConfigureAwait(false);
        var consumerLists = await Task.WhenAll(_producers).ConfigureAwait(false);
        var consumers = Task.WhenAll(consumerLists.SelectMany(list => list));
        PipelineLog.Stopping(_logger, QueueName, InFlight, _options.DrainTimeout);
        try
        {
            await consumers.WaitAsync(_options.DrainTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            PipelineLog.DrainDeadline(_logger, QueueName, InFlight);
            await _cancelHandlers.CancelAsync().ConfigureAwait(false);
            try
            {
                await consumers.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                PipelineLog.HandlersAbandoned(_logger, QueueName);
                return;
            }
        }

        PipelineLog.Stopped(_logger, QueueName);
    }

    /// <summary>One receive loop. Returns the consumer tasks it started that may still be running.</summary>
    private async Task<List<Task>> RunProducerAsync()
    {
        var stop = _stopReceiving.Token;
        var capacity = _options.ConsumersPerProducer;
        var maxPerReceive = Math.Min(TransportLimits.MaxReceiveMessages, capacity);
        // Not disposed: consumers still running after this loop ends release into it (it has no wait handle to free).
        var freeConsumers = new SemaphoreSlim(capacity, capacity);
        var consumers = new List<Task>();
        var retryDelay = TimeSpan.Zero;
        var receiveOptionsCache = new ReceiveOptions[maxPerReceive + 1];

        while (!stop.IsCancellationRequested)
        {
            try
            {
                await freeConsumers.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var free = 1;
            while (free < maxPerReceive && freeConsumers.Wait(0, CancellationToken.None))
            {
                free++;
            }

            IReadOnlyList<ReceivedMessage> received;
            try
            {
                received = await _transport.ReceiveAsync(
                    QueueName,
                    receiveOptionsCache[free] ??= new ReceiveOptions
                    {
                        MaxMessages = free,
                        WaitTime = _options.ReceiveWaitTime,
                        VisibilityTimeout = _options.VisibilityTimeout,
                    },
                    stop).ConfigureAwait(false);
                retryDelay = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                freeConsumers.Release(free);
                break;
            }
            catch (Exception ex)
            {
                freeConsumers.Release(free);
                retryDelay = retryDelay == TimeSpan.Zero ? MinIdleInterval : TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                PipelineLog.ReceiveFailed(_logger, QueueName, retryDelay, ex);
                if (!await DelayAsync(retryDelay, stop).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (received.Count < free)
            {
                freeConsumers.Release(free - received.Count);
            }

            consumers.RemoveAll(task => task.IsCompleted);
            foreach (var message in received)
            {
                Interlocked.Increment(ref _inFlight);
                consumers.Add(Task.Run(() => ConsumeAsync(message, freeConsumers)));
            }

            // A short-poll configuration must not spin on an empty queue.
            if (received.Count == 0 && _options.ReceiveWaitTime < MinIdleInterval
                && !await DelayAsync(MinIdleInterval - _options.ReceiveWaitTime, stop).ConfigureAwait(false))
            {
                break;
            }
        }

        return consumers;
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ConsumeAsync(ReceivedMessage received, SemaphoreSlim freeConsumers)
    {
        var consumerFreed = false;
        try
        {
            if (await ProcessAsync(received).ConfigureAwait(false) is { } messageId)
            {
                // Handled and answered: only the delete is left, which needs no consumer.
                freeConsumers.Release();
                consumerFreed = true;
                try
                {
                    await _transport.DeleteAsync(QueueName, received.ReceiptHandle, _cancelHandlers.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    PipelineLog.CompleteFailed(_logger, messageId, QueueName, ex);
                }
            }
        }
        catch (Exception ex)
        {
            // ProcessAsync handles every expected failure; this keeps a consumer from faulting the drain.
            PipelineLog.CompleteFailed(_logger, received.MessageId, QueueName, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            if (!consumerFreed)
            {
                freeConsumers.Release();
            }
        }
    }

    /// <summary>Handles one message and sends its outgoing messages; returns the message's id when the input is to be deleted.</summary>
    private async Task<string?> ProcessAsync(ReceivedMessage received)
    {
        string messageId;
        Func<CancellationToken, ValueTask<IReadOnlyList<OutgoingMessage>>> handle;
        if (_rawHandler is not null)
        {
            messageId = received.MessageId;
            var raw = new RawIncomingMessage(received.MessageId, received.Body, QueueName, received.ReceiveCount);
            handle = token => _rawHandler.HandleAsync(raw, token);
        }
        else
        {
            MessageEnvelope envelope;
            try
            {
                envelope = EnvelopeCodec.Decode(received.Body);
            }
            catch (Exception ex) when (ex is EnvelopeFormatException or ArgumentException)
            {
                PipelineLog.Undecodable(_logger, QueueName, received.MessageId, received.ReceiveCount, ex);
                return null;
            }

            if (!string.Equals(envelope.MessageType, _handlerName, StringComparison.Ordinal))
            {
                PipelineLog.WrongMessageType(_logger, QueueName, envelope.MessageId, envelope.MessageType, _handlerName);
                return null;
            }

            messageId = envelope.MessageId;
            var incoming = new IncomingMessage(envelope, QueueName, received.ReceiveCount);
            handle = token => _handler!.HandleAsync(incoming, token);
        }

        var cancel = _cancelHandlers.Token;
        IReadOnlyList<OutgoingMessage> outgoing;
        using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            var renewing = RenewVisibilityAsync(received, messageId, renewal.Token);
            try
            {
                outgoing = await handle(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                PipelineLog.HandlerCancelled(_logger, _handlerName, messageId);
                return null;
            }
            catch (Exception ex)
            {
                PipelineLog.HandlerFailed(_logger, _handlerName, messageId, received.ReceiveCount, ex);
                return null;
            }
            finally
            {
                await renewal.CancelAsync().ConfigureAwait(false);
                await renewing.ConfigureAwait(false);
            }
        }

        try
        {
            return await SendOutgoingAsync(messageId, outgoing ?? [], cancel).ConfigureAwait(false) ? messageId : null;
        }
        catch (Exception ex)
        {
            PipelineLog.CompleteFailed(_logger, messageId, QueueName, ex);
            return null;
        }
    }

    /// <summary>Keeps the message invisible while its handler runs, renewing at half the visibility timeout.</summary>
    private async Task RenewVisibilityAsync(ReceivedMessage received, string messageId, CancellationToken stop)
    {
        var interval = _options.VisibilityTimeout / 2;

        // Due times are absolute (last renewal + interval), so a late wake-up renews at once instead of drifting.
        var nextAt = _time.GetUtcNow() + interval;
        try
        {
            while (true)
            {
                var delay = nextAt - _time.GetUtcNow();
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                }

                stop.ThrowIfCancellationRequested();
                nextAt = _time.GetUtcNow() + interval;
                try
                {
                    await _transport.ChangeVisibilityAsync(QueueName, received.ReceiptHandle, _options.VisibilityTimeout, stop).ConfigureAwait(false);
                    PipelineLog.Renewed(_logger, messageId, QueueName);
                }
                catch (TransportException ex) when (ex is QueueDoesNotExistException
                    || ex.ErrorCode is TransportErrorCodes.MessageNotInflight or TransportErrorCodes.ReceiptHandleIsInvalid)
                {
                    // The message is no longer ours to renew; the handler's outcome decides the rest.
                    PipelineLog.RenewFailed(_logger, messageId, QueueName, ex);
                    return;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    PipelineLog.RenewFailed(_logger, messageId, QueueName, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The handler finished.
        }
    }

    /// <summary>
    /// Sends the outgoing messages in batches per queue (at most 10 entries and the SQS batch payload limit
    /// each). Returns false when something failed that a retry of the input could fix; messages for a queue
    /// that does not exist are logged and dropped.
    /// </summary>
    private async Task<bool> SendOutgoingAsync(string messageId, IReadOnlyList<OutgoingMessage> outgoing, CancellationToken cancellationToken)
    {
        var ok = true;
        foreach (var group in outgoing.GroupBy(m => m.QueueName, StringComparer.Ordinal))
        {
            var messages = group.ToList();
            try
            {
                foreach (var batch in Batches(messages))
                {
                    var results = await _transport.SendBatchAsync(group.Key, batch.ConvertAll(b => b.Body), cancellationToken).ConfigureAwait(false);
                    foreach (var result in results)
                    {
                        if (!result.Succeeded)
                        {
                            ok = false;
                            PipelineLog.OutgoingFailed(_logger, messageId, batch[result.Index].MessageId, group.Key, result.ErrorCode, result.ErrorMessage);
                        }
                    }
                }
            }
            catch (QueueDoesNotExistException)
            {
                PipelineLog.OutgoingQueueMissing(_logger, messageId, group.Key, messages.Count);
            }
        }

        return ok;
    }

    private static IEnumerable<List<(string MessageId, ReadOnlyMemory<byte> Body)>> Batches(List<OutgoingMessage> messages)
    {
        var batch = new List<(string, ReadOnlyMemory<byte>)>(TransportLimits.MaxBatchSize);
        long encodedBytes = 0;
        foreach (var message in messages)
        {
            ReadOnlyMemory<byte> body = EnvelopeCodec.Encode(message.Envelope);
            var size = ((long)body.Length + 2) / 3 * 4;
            if (batch.Count == TransportLimits.MaxBatchSize || (batch.Count > 0 && encodedBytes + size > TransportLimits.MaxEncodedBodyBytes))
            {
                yield return batch;
                batch = new List<(string, ReadOnlyMemory<byte>)>(TransportLimits.MaxBatchSize);
                encodedBytes = 0;
            }

            batch.Add((message.Envelope.MessageId, body));
            encodedBytes += size;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
