using System.Diagnostics;
using Google.Protobuf;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Storage;

/// <summary>
/// Pushes a client event (a <c>metaserver.v1.Envelope</c> with request id 0) to an online player: looks the player
/// up in the <see cref="ISessionRegistry"/> and sends a <see cref="MessageEnvelope"/> carrying the session id and no
/// correlation id to the reply queue of the frontend holding the session; that frontend hands it to the session.
/// Delivery is best effort, at most once: a session that closes meanwhile never sees the event.
/// </summary>
public sealed partial class PlayerEventPublisher
{
    /// <summary>Message type of a pushed client event on a frontend reply queue.</summary>
    public const string ClientEventMessageType = "frontend.client-event";

    private readonly ISessionRegistry _sessions;
    private readonly IMessageTransport _transport;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PlayerEventPublisher> _logger;
    private readonly string _deploymentVersion;

    public PlayerEventPublisher(
        ISessionRegistry sessions,
        IMessageTransport transport,
        IOptions<MetaServerOptions> options,
        TimeProvider timeProvider,
        ILogger<PlayerEventPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sessions = sessions;
        _transport = transport;
        _timeProvider = timeProvider;
        _logger = logger;
        _deploymentVersion = options.Value.DeploymentVersion;
    }

    /// <summary>
    /// Sends <paramref name="clientEvent"/> to the player's frontend. Returns false when the player is offline
    /// (no session registered, or its frontend's reply queue is gone).
    /// </summary>
    public async ValueTask<bool> PublishAsync(string playerId, Envelope clientEvent, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(playerId, nameof(playerId));
        ArgumentNullException.ThrowIfNull(clientEvent);
        if (clientEvent.RequestId != 0)
        {
            throw new ArgumentException("A client event has request id 0.", nameof(clientEvent));
        }

        var session = await _sessions.LookupAsync(playerId, cancellationToken);
        if (session is null)
        {
            LogOffline(playerId);
            return false;
        }

        var envelope = new MessageEnvelope
        {
            MessageType = ClientEventMessageType,
            MessageId = Guid.NewGuid().ToString("N"),
            PlayerId = playerId,
            SessionId = session.SessionId,
            DeploymentVersion = _deploymentVersion,
            TraceId = Activity.Current?.TraceId.ToHexString(),
            SentAt = _timeProvider.GetUtcNow(),
            Payload = clientEvent.ToByteArray(),
        };
        try
        {
            await _transport.SendAsync(session.ReplyQueue, EnvelopeCodec.Encode(envelope), cancellationToken);
        }
        catch (QueueDoesNotExistException)
        {
            LogFrontendGone(playerId, session.FrontendInstanceId);
            return false;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event for player {PlayerId} not sent: the player is offline")]
    private partial void LogOffline(string playerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event for player {PlayerId} not sent: frontend {FrontendInstanceId} is gone (its registration will expire)")]
    private partial void LogFrontendGone(string playerId, string frontendInstanceId);
}
