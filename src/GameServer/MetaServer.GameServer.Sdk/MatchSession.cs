using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.GameServer.Sdk;

/// <summary>
/// A match this game server serves. Report <see cref="ReportStartedAsync"/> when players may join and
/// <see cref="ReportResultAsync"/> at the end; both post a <c>matches.game-server-report</c> envelope to the match's
/// results queue with a deterministic message id (<see cref="GameServerReportIds"/>), so retrying a report after a
/// transport error is safe. Disposing the session (or <see cref="CloseAsync"/>) deletes the per-match queue.
/// </summary>
public sealed class MatchSession : IAsyncDisposable
{
    private readonly IMessageTransport _transport;
    private readonly GameServerClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _closed;

    internal MatchSession(IMessageTransport transport, GameServerClientOptions options, TimeProvider time, ILogger logger, string matchQueue, GameServerMatch match)
    {
        _transport = transport;
        _options = options;
        _time = time;
        _logger = logger;
        MatchQueue = matchQueue;
        Match = match;
    }

    /// <summary>Everything about the match, as the matches service sent it (teams, players with bots flagged, game properties).</summary>
    public GameServerMatch Match { get; }

    public string MatchId => Match.MatchId;

    public string GameMode => Match.GameMode;

    /// <summary>The per-match queue the match came on (deleted when the session closes).</summary>
    public string MatchQueue { get; }

    public string GameServerId => _options.GameServerId;

    /// <summary>True once a started report has been sent.</summary>
    public bool StartedReported { get; private set; }

    /// <summary>True once a result report has been sent.</summary>
    public bool ResultReported { get; private set; }

    /// <summary>Posts the started report (now, with <see cref="GameServerClientOptions.GameServerAddress"/>). Safe to retry.</summary>
    public async Task ReportStartedAsync(CancellationToken cancellationToken)
    {
        var report = NewReport();
        report.Started = new MatchStartedReport
        {
            StartedAtUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            GameServerAddress = _options.GameServerAddress ?? string.Empty,
        };
        await SendAsync(report, GameServerReportIds.Started(MatchId), cancellationToken).ConfigureAwait(false);
        StartedReported = true;
        GameServerSdkLog.Reported(_logger, GameServerId, MatchId, "started");
    }

    /// <summary>
    /// Checks <paramref name="result"/> against the match (every team placed exactly once, ranks from 1, players of
    /// the match only, at most once each, non-negative stats) and posts the result report. Throws
    /// <see cref="MatchResultValidationException"/> and sends nothing when the result is invalid. Safe to retry.
    /// </summary>
    public async Task ReportResultAsync(MatchResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var problems = MatchResultValidator.Validate(Match, result);
        if (problems.Count > 0)
        {
            throw new MatchResultValidationException(MatchId, problems);
        }

        var report = NewReport();
        report.Result = MatchResultValidator.ToReport(result, result.EndedAt ?? _time.GetUtcNow());
        await SendAsync(report, GameServerReportIds.Result(MatchId), cancellationToken).ConfigureAwait(false);
        ResultReported = true;
        GameServerSdkLog.Reported(_logger, GameServerId, MatchId, "result");
    }

    /// <summary>
    /// Ends the session: deletes the per-match queue (a queue already gone is fine). Called by
    /// <see cref="DisposeAsync"/>; a second call does nothing.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            await _transport.DeleteQueueAsync(MatchQueue, cancellationToken).ConfigureAwait(false);
            GameServerSdkLog.MatchQueueDeleted(_logger, MatchQueue);
        }
        catch (QueueDoesNotExistException)
        {
            // The matches service (or a retry) deleted it already.
        }
    }

    /// <summary>Closes the session (see <see cref="CloseAsync"/>); a transport failure is logged, not thrown.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (TransportException ex)
        {
            GameServerSdkLog.MatchQueueDeleteFailed(_logger, MatchQueue, ex);
        }
    }

    private GameServerReport NewReport() => new() { MatchId = MatchId, GameServerId = GameServerId };

    private async Task SendAsync(GameServerReport report, string messageId, CancellationToken cancellationToken)
    {
        var envelope = new MessageEnvelope
        {
            MessageType = MessageTypes.MatchesGameServerReport,
            MessageId = messageId,
            CorrelationId = MatchId,
            DeploymentVersion = _options.DeploymentVersion,
            SentAt = _time.GetUtcNow(),
            Payload = report.ToByteArray(),
        };
        await _transport.SendAsync(Match.ResultsQueue, EnvelopeCodec.Encode(envelope), cancellationToken).ConfigureAwait(false);
    }
}
