using MetaServer.Messaging;
using Microsoft.Extensions.Logging;

namespace MetaServer.GameServer.Sdk;

/// <summary>
/// A placement this game server took from the shared placement queue: the match it is to serve. While held, the
/// placement stays invisible to other game servers (its visibility is extended every half timeout). It is deleted
/// only once the match message has been read (<see cref="GameServerClient.OpenMatchAsync"/>); disposing a placement
/// that was not served stops the extension, so it reappears for another game server after its visibility timeout.
/// </summary>
public sealed class MatchPlacement : IAsyncDisposable
{
    private readonly IMessageTransport _transport;
    private readonly ILogger _logger;
    private readonly string _queueName;
    private readonly string _receiptHandle;
    private readonly TimeSpan _visibility;
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _extender;
    private int _stopped;

    internal MatchPlacement(
        IMessageTransport transport,
        TimeProvider time,
        ILogger logger,
        string queueName,
        ReceivedMessage message,
        string matchId,
        string matchQueue,
        string gameMode,
        TimeSpan visibility)
    {
        _transport = transport;
        _logger = logger;
        _queueName = queueName;
        _receiptHandle = message.ReceiptHandle;
        _visibility = visibility;
        MessageId = message.MessageId;
        ReceiveCount = message.ReceiveCount;
        MatchId = matchId;
        MatchQueue = matchQueue;
        GameMode = gameMode;
        var period = visibility / 2;
        _extender = time.CreateTimer(_ => _ = ExtendAsync(), null, period, period);
    }

    public string MatchId { get; }

    /// <summary>The per-match queue the match message is on.</summary>
    public string MatchQueue { get; }

    public string GameMode { get; }

    /// <summary>Transport message id of the placement message.</summary>
    public string MessageId { get; }

    /// <summary>How many times the placement has been received (more than 1: an earlier try did not serve it).</summary>
    public int ReceiveCount { get; }

    /// <summary>True once the placement has been deleted from its queue.</summary>
    public bool Deleted { get; private set; }

    /// <summary>Stops extending the visibility; a placement not deleted reappears after its visibility timeout.</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    internal async ValueTask DeleteAsync(CancellationToken cancellationToken)
    {
        Stop();
        await _transport.DeleteAsync(_queueName, _receiptHandle, cancellationToken).ConfigureAwait(false);
        Deleted = true;
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _extender.Dispose();
            _stop.Cancel();
            _stop.Dispose();
        }
    }

    private async Task ExtendAsync()
    {
        try
        {
            var token = _stop.Token;
            await _transport.ChangeVisibilityAsync(_queueName, _receiptHandle, _visibility, token).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Stopped while the timer fired: nothing to extend.
        }
        catch (OperationCanceledException)
        {
            // Stopped while extending.
        }
        catch (TransportException ex)
        {
            GameServerSdkLog.PlacementExtendFailed(_logger, MatchId, ex);
        }
    }
}
