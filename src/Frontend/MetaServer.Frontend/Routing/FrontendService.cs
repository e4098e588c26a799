using System.Diagnostics.Metrics;
using MetaServer.Messaging;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Frontend;

/// <summary>
/// The frontend's background work: creates this instance's reply queue, routes everything that arrives on
/// it (replies by correlation id, server events by session id), drains the sessions when the host stops and
/// deletes the reply queue once they are gone.
/// </summary>
internal sealed class FrontendService : IHostedLifecycleService, IAsyncDisposable
{
    private static readonly TimeSpan ReceiveWaitTime = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Replies are useless after the request timeout; keep them no longer than the SQS minimum.</summary>
    private static readonly QueueSettings ReplyQueueSettings = new() { MessageRetention = TimeSpan.FromMinutes(1), VisibilityTimeout = TimeSpan.FromSeconds(30) };

    private readonly IMessageTransport _transport;
    private readonly PendingReplies _pending;
    private readonly SessionRegistry _sessions;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FrontendService> _logger;
    private readonly FrontendOptions _options;
    private readonly string _replyQueue;
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenRegistration _onStopping;
    private Task _receiveLoop = Task.CompletedTask;

    public FrontendService(
        IMessageTransport transport,
        BackendGateway gateway,
        PendingReplies pending,
        SessionRegistry sessions,
        SessionTokenService tokens,
        IHostApplicationLifetime lifetime,
        TimeProvider timeProvider,
        IOptions<FrontendOptions> options,
        ILogger<FrontendService> logger,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(options);

        // Taking the token service here makes a missing or bad signing key fail the start, not the first login.
        ArgumentNullException.ThrowIfNull(tokens);
        _transport = transport;
        _pending = pending;
        _sessions = sessions;
        _lifetime = lifetime;
        _timeProvider = timeProvider;
        _logger = logger;
        _options = options.Value;
        _replyQueue = gateway.ReplyQueue;
        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(MeterName);
            meter.CreateObservableUpDownCounter("metaserver.frontend.sessions", () => _sessions.Count, "{session}", "Live WebSocket sessions on this instance.");
            meter.CreateObservableUpDownCounter("metaserver.frontend.pending_requests", () => _pending.Count, "{request}", "Requests waiting for a backend reply.");
        }
    }

    /// <summary>Name of the frontend's <see cref="Meter"/>.</summary>
    public const string MeterName = "MetaServer.Frontend";

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _transport.CreateQueueAsync(_replyQueue, ReplyQueueSettings, cancellationToken);
        _onStopping = _lifetime.ApplicationStopping.Register(static s => ((SessionRegistry)s!).BeginDrain(), _sessions);
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(_stopping.Token), CancellationToken.None);
        Log.ReplyQueueReady(_logger, _options.InstanceId, _replyQueue);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before any hosted service (the web server included) stops: the server still answers /readyz with 503 meanwhile.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var live = _sessions.BeginDrain();
        if (live > 0)
        {
            Log.DrainStarted(_logger, live, _options.DrainTimeout);
        }

        try
        {
            await _sessions.Drained.WaitAsync(_options.DrainTimeout, _timeProvider, cancellationToken);
            if (live > 0)
            {
                Log.DrainFinished(_logger);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Log.DrainTimedOut(_logger, _sessions.AbortAll());
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Sessions are gone (drained or aborted) by now; stop listening and remove the queue.
        _sessions.BeginDrain();
        if (_sessions.Count > 0)
        {
            _sessions.AbortAll();
        }

        await _stopping.CancelAsync();
        await _receiveLoop;
        try
        {
            await _transport.DeleteQueueAsync(_replyQueue, cancellationToken);
            Log.ReplyQueueDeleted(_logger, _replyQueue);
        }
        catch (QueueDoesNotExistException)
        {
            // Already gone.
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException)
        {
            Log.ReplyQueueDeleteFailed(_logger, ex, _replyQueue);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _onStopping.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var receive = new ReceiveOptions { MaxMessages = TransportLimits.MaxReceiveMessages, WaitTime = ReceiveWaitTime };

        // Deletes of routed replies run beside the loop: the next receive need not wait for them (a batching
        // transport may hold a delete a few ms to share a call). Awaited before the loop returns.
        var deletes = new List<Task>();
        try
        {
            await ReceiveAndRouteAsync(receive, deletes, cancellationToken);
        }
        finally
        {
            await Task.WhenAll(deletes);
        }
    }

    private async Task ReceiveAndRouteAsync(ReceiveOptions receive, List<Task> deletes, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var messages = await _transport.ReceiveAsync(_replyQueue, receive, cancellationToken);
                if (messages.Count == 0)
                {
                    continue;
                }

                var handles = new List<string>(messages.Count);
                foreach (var message in messages)
                {
                    Route(message);
                    handles.Add(message.ReceiptHandle);
                }

                deletes.RemoveAll(task => task.IsCompleted);
                deletes.Add(DeleteRepliesAsync(handles));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (QueueDoesNotExistException)
            {
                await RecreateQueueAsync(cancellationToken);
            }
#pragma warning disable CA1031 // The loop must survive any transport failure; it logs and retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ReplyReceiveFailed(_logger, ex, _replyQueue);
                await DelayAsync(cancellationToken);
            }
        }
    }

    /// <summary>Deletes routed replies; a failure is logged (an undeleted reply returns later and is dropped as unmatched).</summary>
    private async Task DeleteRepliesAsync(List<string> handles)
    {
        try
        {
            // Not cancelled by the stop: the queue is deleted only after these finish.
            var results = await _transport.DeleteBatchAsync(_replyQueue, handles, CancellationToken.None);
            if (results.FirstOrDefault(r => !r.Succeeded) is { } failed)
            {
                Log.ReplyDeleteFailed(_logger, null, _replyQueue, failed.ErrorCode ?? "unknown");
            }
        }
#pragma warning disable CA1031 // Best effort; logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ReplyDeleteFailed(_logger, ex, _replyQueue, (ex as TransportException)?.ErrorCode ?? ex.GetType().Name);
        }
    }

    /// <summary>Hands one reply-queue message to its waiter or session; anything else is logged and dropped.</summary>
    internal void Route(ReceivedMessage message)
    {
        MessageEnvelope envelope;
        try
        {
            envelope = EnvelopeCodec.Decode(message.Body);
        }
        catch (EnvelopeFormatException ex)
        {
            Log.BadReplyEnvelope(_logger, ex);
            return;
        }

        if (envelope.CorrelationId is { } correlationId)
        {
            if (!_pending.TryComplete(envelope))
            {
                Log.UnmatchedReply(_logger, envelope.MessageType, correlationId);
            }

            return;
        }

        if (envelope.SessionId is { } sessionId)
        {
            Envelope clientEvent;
            try
            {
                clientEvent = Envelope.Parser.ParseFrom(envelope.Payload.Span);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
                Log.UnroutableReply(_logger, envelope.MessageType, envelope.MessageId);
                return;
            }

            if (_sessions.Find(sessionId) is { } session)
            {
                session.DeliverEvent(clientEvent);
            }
            else
            {
                Log.EventForUnknownSession(_logger, envelope.MessageType, sessionId);
            }

            return;
        }

        Log.UnroutableReply(_logger, envelope.MessageType, envelope.MessageId);
    }

    private async Task RecreateQueueAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _transport.CreateQueueAsync(_replyQueue, ReplyQueueSettings, cancellationToken);
            Log.ReplyQueueRecreated(_logger, _replyQueue);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
#pragma warning disable CA1031 // Retried by the loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ReplyReceiveFailed(_logger, ex, _replyQueue);
            await DelayAsync(cancellationToken);
        }
    }

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RetryDelay, _timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
