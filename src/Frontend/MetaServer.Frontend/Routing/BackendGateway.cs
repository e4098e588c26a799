using System.Diagnostics;
using Google.Protobuf;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Frontend;

/// <summary>Outcome of a backend call: OK with the reply, or a client-facing error (never exception text).</summary>
internal readonly record struct BackendCall(ResultCode Code, string Message, MessageEnvelope? Reply)
{
    public static BackendCall Failed(ResultCode code, string message) => new(code, message, null);
}

/// <summary>Sends a request to a backend queue and waits for its reply on this instance's reply queue.</summary>
internal sealed class BackendGateway
{
    private readonly IMessageTransport _transport;
    private readonly QueueNames _queueNames;
    private readonly PendingReplies _pending;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<BackendGateway> _logger;
    private readonly string _deploymentVersion;
    private readonly string _replyQueue;
    private readonly TimeSpan _requestTimeout;

    public BackendGateway(
        IMessageTransport transport,
        QueueNames queueNames,
        PendingReplies pending,
        TimeProvider timeProvider,
        IOptions<MetaServerOptions> coreOptions,
        IOptions<FrontendOptions> options,
        ILogger<BackendGateway> logger)
    {
        _transport = transport;
        _queueNames = queueNames;
        _pending = pending;
        _timeProvider = timeProvider;
        _logger = logger;
        _deploymentVersion = coreOptions.Value.DeploymentVersion;
        _replyQueue = queueNames.ReplyQueue(options.Value.InstanceId);
        _requestTimeout = options.Value.RequestTimeout;
    }

    public string ReplyQueue => _replyQueue;

    public async Task<BackendCall> CallAsync(string messageType, IMessage payload, string sessionId, string? playerId, CancellationToken cancellationToken)
    {
        var service = ServiceName(messageType);
        var correlationId = Guid.NewGuid().ToString("N");
        var envelope = new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = correlationId,
            ReplyTo = _replyQueue,
            PlayerId = playerId,
            SessionId = sessionId,
            DeploymentVersion = _deploymentVersion,
            TraceId = Activity.Current?.TraceId.ToHexString() ?? ActivityTraceId.CreateRandom().ToHexString(),
            SentAt = _timeProvider.GetUtcNow(),
            Payload = payload.ToByteArray(),
        };

        // Wait before sending, so a fast reply can never arrive ahead of its waiter.
        var replyTask = _pending.Register(correlationId, _requestTimeout, cancellationToken);
        var queue = _queueNames.ForMessageType(messageType);
        try
        {
            await _transport.SendAsync(queue, EnvelopeCodec.Encode(envelope), cancellationToken);
        }
        catch (QueueDoesNotExistException)
        {
            _pending.Cancel(correlationId);
            Log.BackendQueueMissing(_logger, queue, messageType);
            return BackendCall.Failed(ResultCode.Unavailable, $"the {service} service is not available");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _pending.Cancel(correlationId);
            throw;
        }
        catch (TransportException ex)
        {
            _pending.Cancel(correlationId);
            Log.BackendSendFailed(_logger, ex, queue, messageType);
            return BackendCall.Failed(ResultCode.Unavailable, $"the {service} service could not be reached");
        }
#pragma warning disable CA1031 // Any other failure becomes a plain INTERNAL reply; details go to the log only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _pending.Cancel(correlationId);
            Log.BackendSendFailed(_logger, ex, queue, messageType);
            return BackendCall.Failed(ResultCode.Internal, "internal error");
        }

        var outcome = await replyTask;
        switch (outcome.Status)
        {
            case ReplyStatus.Replied:
                return new BackendCall(ResultCode.Ok, string.Empty, outcome.Reply);
            case ReplyStatus.TimedOut:
                Log.BackendTimedOut(_logger, messageType, correlationId, _requestTimeout);
                return BackendCall.Failed(ResultCode.Timeout, $"the {service} service did not answer in time");
            default:
                cancellationToken.ThrowIfCancellationRequested();
                return BackendCall.Failed(ResultCode.Unavailable, $"the {service} service is not available");
        }
    }

    /// <summary>
    /// Sends a one-way notice (no reply expected) to a backend queue. Best effort: a missing queue (the service is not
    /// deployed) or a transport failure is logged, never thrown. Returns whether it was sent.
    /// </summary>
    public async Task<bool> NotifyAsync(string messageType, IMessage payload, string? sessionId, string? playerId, CancellationToken cancellationToken)
    {
        var queue = _queueNames.ForMessageType(messageType);
        var envelope = new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = Guid.NewGuid().ToString("N"),
            PlayerId = playerId,
            SessionId = sessionId,
            DeploymentVersion = _deploymentVersion,
            TraceId = Activity.Current?.TraceId.ToHexString() ?? ActivityTraceId.CreateRandom().ToHexString(),
            SentAt = _timeProvider.GetUtcNow(),
            Payload = payload.ToByteArray(),
        };
        try
        {
            await _transport.SendAsync(queue, EnvelopeCodec.Encode(envelope), cancellationToken);
            return true;
        }
        catch (QueueDoesNotExistException)
        {
            Log.NoticeQueueMissing(_logger, queue, messageType);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A lost notice is logged; the session is closing anyway.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.NoticeSendFailed(_logger, ex, queue, messageType);
        }

        return false;
    }

    /// <summary>"accounts.login-device" is served by "accounts".</summary>
    private static string ServiceName(string messageType)
    {
        var dot = messageType.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? messageType[..dot] : messageType;
    }
}
