using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.GameServer.Sdk;

/// <summary>
/// The game-server side of the match hand-off, over any <see cref="IMessageTransport"/>. One client serves one
/// match at a time (one server slot): take a placement (<see cref="TryTakePlacementAsync"/>), read its match
/// (<see cref="OpenMatchAsync"/>), then report through the returned <see cref="MatchSession"/>.
/// <see cref="TryAcceptMatchAsync"/> does the first two steps in one call. See docs/game-servers.md for the contract.
/// </summary>
public sealed class GameServerClient
{
    private static readonly TimeSpan MatchMessageVisibility = TimeSpan.FromSeconds(30);

    private readonly IMessageTransport _transport;
    private readonly GameServerClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GameServerClient> _logger;

    /// <summary>Creates a client; throws <see cref="System.ComponentModel.DataAnnotations.ValidationException"/> for invalid options.</summary>
    public GameServerClient(IMessageTransport transport, GameServerClientOptions options, TimeProvider timeProvider, ILogger<GameServerClient> logger)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _transport = transport;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        PlacementQueue = new QueueNames(options.DeploymentVersion).ForMessageType(MessageTypes.GameServerPlacement);
    }

    /// <summary>The shared placement queue this client takes matches from.</summary>
    public string PlacementQueue { get; }

    public string GameServerId => _options.GameServerId;

    /// <summary>Receives after which a placement that keeps failing moves to the placement dead-letter queue.</summary>
    public const int PlacementMaxReceiveCount = 5;

    /// <summary>
    /// Settings of the placement queue: the client's visibility timeout and a redrive policy to
    /// <see cref="QueueNames.DeadLetterOf"/> after <see cref="PlacementMaxReceiveCount"/> receives.
    /// </summary>
    public QueueSettings PlacementQueueSettings => new()
    {
        VisibilityTimeout = _options.PlacementVisibilityTimeout,
        Redrive = new RedrivePolicy(QueueNames.DeadLetterOf(PlacementQueue), PlacementMaxReceiveCount),
    };

    /// <summary>
    /// Creates the placement queue and its dead-letter queue (idempotent; settings of an existing queue are updated,
    /// as creating a queue does on every transport). The matches service may create them too.
    /// </summary>
    public async Task EnsurePlacementQueueAsync(CancellationToken cancellationToken)
    {
        var deadLetter = new QueueSettings { MessageRetention = TimeSpan.FromDays(14) };
        await _transport.CreateQueueAsync(QueueNames.DeadLetterOf(PlacementQueue), deadLetter, cancellationToken).ConfigureAwait(false);
        await _transport.CreateQueueAsync(PlacementQueue, PlacementQueueSettings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes at most one placement: one long-poll receive of <see cref="GameServerClientOptions.PlacementWaitTime"/>.
    /// Returns null when none arrived. Throws <see cref="GameServerHandOffException"/>
    /// (<see cref="HandOffFailure.MalformedPlacement"/>) for a message that is not a placement; that message is deleted.
    /// </summary>
    public async Task<MatchPlacement?> TryTakePlacementAsync(CancellationToken cancellationToken)
    {
        var receiveOptions = new ReceiveOptions
        {
            MaxMessages = 1,
            WaitTime = _options.PlacementWaitTime,
            VisibilityTimeout = _options.PlacementVisibilityTimeout,
        };
        var messages = await _transport.ReceiveAsync(PlacementQueue, receiveOptions, cancellationToken).ConfigureAwait(false);
        if (messages.Count == 0)
        {
            return null;
        }

        var message = messages[0];
        var (placement, problem) = DecodePlacement(message.Body);
        if (placement is null)
        {
            GameServerSdkLog.PlacementMalformed(_logger, GameServerId, message.MessageId, problem!);
            await _transport.DeleteAsync(PlacementQueue, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            throw new GameServerHandOffException(HandOffFailure.MalformedPlacement, string.Empty, $"Placement message {message.MessageId} was deleted: {problem}");
        }

        GameServerSdkLog.PlacementTaken(_logger, GameServerId, placement.MatchId, placement.GameMode, message.ReceiveCount);
        return new MatchPlacement(
            _transport,
            _time,
            _logger,
            PlacementQueue,
            message,
            placement.MatchId,
            placement.MatchQueue,
            placement.GameMode,
            _options.PlacementVisibilityTimeout);
    }

    /// <summary>
    /// Waits (at most <see cref="GameServerClientOptions.MatchMessageTimeout"/>) for the match message on the
    /// placement's per-match queue, checks it (message type, match id, teams, results queue), then deletes the match
    /// message and the placement. Throws <see cref="GameServerHandOffException"/> when the match cannot be taken; see
    /// <see cref="HandOffFailure"/> for which failures delete the placement.
    /// </summary>
    public async Task<MatchSession> OpenMatchAsync(MatchPlacement placement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(placement);
        // Armed before the first await, so the bound counts from the call.
        using var timeout = new CancellationTokenSource(_options.MatchMessageTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ReceivedMessage? message = null;
        try
        {
            while (message is null)
            {
                var receiveOptions = new ReceiveOptions { MaxMessages = 1, WaitTime = TransportLimits.MaxWaitTime, VisibilityTimeout = MatchMessageVisibility };
                var received = await _transport.ReceiveAsync(placement.MatchQueue, receiveOptions, linked.Token).ConfigureAwait(false);
                message = received.Count > 0 ? received[0] : null;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Fail(placement, HandOffFailure.MatchMessageTimeout, $"No match message arrived on '{placement.MatchQueue}' within {_options.MatchMessageTimeout}.");
        }
        catch (QueueDoesNotExistException ex)
        {
            await placement.DeleteAsync(cancellationToken).ConfigureAwait(false);
            throw Fail(placement, HandOffFailure.MatchQueueMissing, $"Match queue '{placement.MatchQueue}' does not exist: match {placement.MatchId} was already served or given up. The placement was deleted.", ex);
        }

        var match = DecodeMatch(placement, message);
        // The hand-off commits here: once the match message is read, both deletes run to the end even when the caller
        // cancels, so a stopping server never leaves a placement behind whose match message is gone.
        await _transport.DeleteAsync(placement.MatchQueue, message.ReceiptHandle, CancellationToken.None).ConfigureAwait(false);
        await placement.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
        var players = match.Teams.Sum(t => t.Players.Count);
        GameServerSdkLog.MatchRead(_logger, GameServerId, match.MatchId, match.Teams.Count, players, match.Teams.Sum(t => t.Players.Count(p => p.Bot)));
        return new MatchSession(_transport, _options, _time, _logger, placement.MatchQueue, match);
    }

    /// <summary>
    /// Takes a placement and opens its match: null when no placement arrived within one long poll. Any
    /// <see cref="GameServerHandOffException"/> of the two steps is thrown.
    /// </summary>
    public async Task<MatchSession?> TryAcceptMatchAsync(CancellationToken cancellationToken)
    {
        var placement = await TryTakePlacementAsync(cancellationToken).ConfigureAwait(false);
        if (placement is null)
        {
            return null;
        }

        await using (placement.ConfigureAwait(false))
        {
            return await OpenMatchAsync(placement, cancellationToken).ConfigureAwait(false);
        }
    }

    private GameServerHandOffException Fail(MatchPlacement placement, HandOffFailure reason, string message, Exception? inner = null)
    {
        GameServerSdkLog.HandOffFailed(_logger, GameServerId, placement.MatchId, reason);
        return new GameServerHandOffException(reason, placement.MatchId, message, inner);
    }

    private static (GameServerPlacement? Placement, string? Problem) DecodePlacement(ReadOnlyMemory<byte> body)
    {
        try
        {
            var envelope = EnvelopeCodec.Decode(body);
            if (envelope.MessageType != MessageTypes.GameServerPlacement)
            {
                return (null, $"message type is '{envelope.MessageType}', expected '{MessageTypes.GameServerPlacement}'");
            }

            var placement = GameServerPlacement.Parser.ParseFrom(envelope.Payload.Span);
            if (placement.MatchId.Length == 0 || placement.MatchQueue.Length == 0)
            {
                return (null, "the placement has no match id or match queue");
            }

            return (placement, null);
        }
        catch (EnvelopeFormatException ex)
        {
            return (null, ex.Message);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return (null, $"the payload is not a GameServerPlacement ({ex.Message})");
        }
    }

    private GameServerMatch DecodeMatch(MatchPlacement placement, ReceivedMessage message)
    {
        MessageEnvelope envelope;
        GameServerMatch match;
        try
        {
            envelope = EnvelopeCodec.Decode(message.Body);
        }
        catch (EnvelopeFormatException ex)
        {
            throw Fail(placement, HandOffFailure.MalformedMatch, $"The message on '{placement.MatchQueue}' is not a queue envelope.", ex);
        }

        if (envelope.MessageType != MessageTypes.GameServerMatch)
        {
            throw Fail(placement, HandOffFailure.WrongMessageType, $"The message on '{placement.MatchQueue}' is a '{envelope.MessageType}', expected '{MessageTypes.GameServerMatch}'.");
        }

        try
        {
            match = GameServerMatch.Parser.ParseFrom(envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw Fail(placement, HandOffFailure.MalformedMatch, $"The payload on '{placement.MatchQueue}' is not a GameServerMatch.", ex);
        }

        if (!string.Equals(match.MatchId, placement.MatchId, StringComparison.Ordinal))
        {
            throw Fail(placement, HandOffFailure.WrongMatchId, $"The match message on '{placement.MatchQueue}' is for match '{match.MatchId}', the placement for '{placement.MatchId}'.");
        }

        if (match.Teams.Count == 0 || match.ResultsQueue.Length == 0)
        {
            throw Fail(placement, HandOffFailure.MalformedMatch, $"Match '{match.MatchId}' has no teams or no results queue.");
        }

        return match;
    }
}
