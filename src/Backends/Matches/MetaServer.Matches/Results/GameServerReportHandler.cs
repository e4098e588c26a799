using Google.Protobuf;
using MetaServer.Matches.Leaderboards;
using MetaServer.Matches.Rating;
using MetaServer.Matches.Service;
using MetaServer.Matches.Storage;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Results;

/// <summary>
/// <c>matches.game-server-report</c>: what game servers post to the shared results queue.
/// <para>
/// <b>started</b>: the match goes CREATED → STARTED with the game server's id and address; any other state ignores it
/// (a redelivery, or a start reported after the result).
/// </para>
/// <para>
/// <b>result</b>, processed exactly once per match id however often, concurrently or half-way it is delivered:
/// <list type="number">
/// <item>Validate against the <c>MatchRecord</c> (unknown match, unknown or missing team, unknown player, bad rank:
/// rejected with a warning and dropped, never retried).</item>
/// <item>Accept: one conditional write stores the report and every rated player's rating before and after in the
/// record. Whoever wins that write decides the values; every later delivery reuses them.</item>
/// <item>Apply each player's rating to their <c>RatingRecord</c>, guarded by its bounded <c>recent_match_ids</c>.</item>
/// <item>Leaderboard: the player's current display rating (<see cref="SkillAttribute"/>) replaces their score on the
/// board of the season the result was accepted in.</item>
/// <item>MatchRecord → COMPLETED.</item>
/// <item>One <c>ApplyMatchResultCommand</c> per human player to <c>accounts.apply-match-result</c>. These are sent
/// by the pipeline after this handler returns and before the report is deleted, so they are answered again for every
/// delivery of an accepted result (COMPLETED included): a crash before they were sent is repaired by the redelivery,
/// and accounts applies a match once per (account, match id).</item>
/// </list>
/// Bots are not rated: only players with <c>bot = false</c> are; a team of bots only is left out of the rating, and
/// a match with fewer than two teams with humans changes no rating and no leaderboard (rewards still apply).
/// </para>
/// </summary>
public sealed partial class GameServerReportHandler(
    IMatchStore store,
    RatingModel ratingModel,
    ILeaderboardStore leaderboards,
    LeaderboardSeasons seasons,
    QueueNames queueNames,
    IOptions<MatchResultsOptions> options,
    TimeProvider timeProvider,
    ILogger<GameServerReportHandler> logger) : IMessageHandler
{
    public const int MaxMatchIdLength = 128;

    private readonly MatchResultsOptions _options = options.Value;

    public string MessageType => MessageTypes.MatchesGameServerReport;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        GameServerReport report;
        try
        {
            report = GameServerReport.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodable(message.Envelope.MessageId);
            return [];
        }

        if (report.MatchId.Length is 0 or > MaxMatchIdLength || report.MatchId.Any(c => c is < ' ' or > '~'))
        {
            LogRejected(Printable(report.MatchId), report.GameServerId, "the match id is empty, too long or not printable ASCII");
            return [];
        }

        switch (report.ReportCase)
        {
            case GameServerReport.ReportOneofCase.Started:
                await HandleStartedAsync(report, cancellationToken);
                return [];
            case GameServerReport.ReportOneofCase.Result:
                return await HandleResultAsync(message, report, cancellationToken);
            default:
                LogRejected(report.MatchId, report.GameServerId, "the report is neither started nor result");
                return [];
        }
    }

    private async ValueTask HandleStartedAsync(GameServerReport report, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (item, record) = await ReadMatchAsync(report.MatchId, cancellationToken);
            if (item is null || record is null)
            {
                LogRejected(report.MatchId, report.GameServerId, "no such match");
                return;
            }

            if (record.State != MatchRecordState.Created)
            {
                LogStartIgnored(report.MatchId, record.State);
                return;
            }

            record.State = MatchRecordState.Started;
            record.StartedAtUnixMs = report.Started.StartedAtUnixMs > 0 ? report.Started.StartedAtUnixMs : timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            record.GameServerId = report.GameServerId;
            record.GameServerAddress = report.Started.GameServerAddress;
            if (await store.TryWriteAsync(item.Key, record.ToByteArray(), item.Version, item.ExpiresAt, cancellationToken) is not null)
            {
                LogStarted(report.MatchId, report.GameServerId);
                return;
            }

            ThrowWhenOutOfRetries(attempt, report.MatchId);
        }
    }

    private async ValueTask<IReadOnlyList<OutgoingMessage>> HandleResultAsync(IncomingMessage message, GameServerReport report, CancellationToken cancellationToken)
    {
        MatchRecord record;
        for (var attempt = 0; ; attempt++)
        {
            var (item, stored) = await ReadMatchAsync(report.MatchId, cancellationToken);
            if (item is null || stored is null)
            {
                LogRejected(report.MatchId, report.GameServerId, "no such match");
                return [];
            }

            if (stored.State == MatchRecordState.Abandoned)
            {
                LogRejected(report.MatchId, report.GameServerId, "the match was abandoned");
                return [];
            }

            if (stored.Result is not null)
            {
                // Accepted earlier (by another delivery, maybe one that stopped half-way): finish with its values.
                record = stored;
                break;
            }

            if (Validate(stored, report.Result) is { } invalid)
            {
                LogRejected(report.MatchId, report.GameServerId, invalid);
                return [];
            }

            var now = timeProvider.GetUtcNow();
            stored.Result = report.Result;
            stored.ResultAcceptedAtUnixMs = now.ToUnixTimeMilliseconds();
            stored.RatingChanges.Clear();
            stored.RatingChanges.AddRange(await ComputeRatingChangesAsync(stored, report.Result, cancellationToken));
            if (stored.GameServerId.Length == 0)
            {
                stored.GameServerId = report.GameServerId;
            }

            if (await store.TryWriteAsync(item.Key, stored.ToByteArray(), item.Version, item.ExpiresAt, cancellationToken) is not null)
            {
                LogAccepted(report.MatchId, report.GameServerId, stored.RatingChanges.Count);
                record = stored;
                break;
            }

            ThrowWhenOutOfRetries(attempt, report.MatchId);
        }

        if (record.State != MatchRecordState.Completed)
        {
            var board = leaderboards.Get(seasons.At(DateTimeOffset.FromUnixTimeMilliseconds(record.ResultAcceptedAtUnixMs)).BoardId);
            foreach (var change in record.RatingChanges)
            {
                var current = await ApplyRatingAsync(record.MatchId, change, cancellationToken);
                await board.SubmitAsync(change.PlayerId, (long)SkillAttribute.FromRating(current), ScoreUpdate.Replace, cancellationToken);
            }

            await CompleteAsync(record.MatchId, cancellationToken);
        }

        return Commands(message, record);
    }

    /// <summary>Why the result does not fit the match, or null when it does.</summary>
    internal static string? Validate(MatchRecord record, MatchResultReport result)
    {
        var teams = new HashSet<string>(StringComparer.Ordinal);
        var players = new HashSet<string>(StringComparer.Ordinal);
        foreach (var team in record.Teams)
        {
            if (!teams.Add(team.Name))
            {
                return $"the match record has team '{team.Name}' twice";
            }

            foreach (var player in team.Players)
            {
                if (player.PlayerId.Length == 0 || !players.Add(player.PlayerId))
                {
                    return "the match record has an empty or repeated player id";
                }
            }
        }

        if (teams.Count == 0)
        {
            return "the match record has no teams";
        }

        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var placement in result.Placements)
        {
            if (!teams.Contains(placement.Team))
            {
                return $"placement for unknown team '{Printable(placement.Team)}'";
            }

            if (!placed.Add(placement.Team))
            {
                return $"team '{placement.Team}' is placed twice";
            }

            if (placement.Rank < 1)
            {
                return $"team '{placement.Team}' has rank {placement.Rank}; ranks start at 1";
            }
        }

        if (placed.Count != teams.Count)
        {
            return $"placements are missing for {teams.Count - placed.Count} of {teams.Count} teams";
        }

        var withStats = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stats in result.Players)
        {
            if (!players.Contains(stats.PlayerId))
            {
                return $"statistics for unknown player '{Printable(stats.PlayerId)}'";
            }

            if (!withStats.Add(stats.PlayerId))
            {
                return $"statistics for player '{stats.PlayerId}' appear twice";
            }
        }

        return null;
    }

    private async ValueTask<List<MatchRatingChange>> ComputeRatingChangesAsync(MatchRecord record, MatchResultReport result, CancellationToken cancellationToken)
    {
        var ranks = result.Placements.ToDictionary(p => p.Team, p => p.Rank, StringComparer.Ordinal);
        var rated = record.Teams
            .Select(t => (t.Name, Humans: t.Players.Where(p => !p.Bot).Select(p => p.PlayerId).ToList()))
            .Where(t => t.Humans.Count > 0)
            .ToList();
        if (rated.Count < 2)
        {
            return [];
        }

        var current = await ReadRatingsAsync(rated.SelectMany(t => t.Humans).ToList(), cancellationToken);
        var before = rated.Select(t => (IReadOnlyList<PlayerRating>)t.Humans.Select(id => current[id]).ToList()).ToList();
        var after = ratingModel.Rate(before, rated.Select(t => ranks[t.Name]).ToList());
        var changes = new List<MatchRatingChange>();
        for (var t = 0; t < rated.Count; t++)
        {
            for (var p = 0; p < rated[t].Humans.Count; p++)
            {
                changes.Add(new MatchRatingChange
                {
                    PlayerId = rated[t].Humans[p],
                    MuBefore = before[t][p].Mu,
                    SigmaBefore = before[t][p].Sigma,
                    MuAfter = after[t][p].Mu,
                    SigmaAfter = after[t][p].Sigma,
                });
            }
        }

        return changes;
    }

    private async ValueTask<Dictionary<string, PlayerRating>> ReadRatingsAsync(List<string> playerIds, CancellationToken cancellationToken)
    {
        var ratings = playerIds.ToDictionary(id => id, _ => ratingModel.NewPlayer(), StringComparer.Ordinal);
        foreach (var chunk in playerIds.Chunk(IItemStore.MaxBatchKeys))
        {
            var items = await store.GetManyAsync([.. chunk.Select(MatchStoreKeys.Rating)], cancellationToken);
            foreach (var item in items)
            {
                var stored = RatingRecord.Parser.ParseFrom(item.Value.Span);
                ratings[item.Key["rating#".Length..]] = new PlayerRating(stored.Mu, stored.Sigma);
            }
        }

        return ratings;
    }

    /// <summary>
    /// Applies the match to the player's rating record once (guarded by its recent match ids) and returns the
    /// player's rating afterwards. When the record still holds the rating the change was computed from, it gets the
    /// computed rating; when another match was applied in between, it gets the same change (μ shifted by the
    /// match's Δμ, σ scaled by its σ ratio), so neither match is lost.
    /// </summary>
    private async ValueTask<PlayerRating> ApplyRatingAsync(string matchId, MatchRatingChange change, CancellationToken cancellationToken)
    {
        var key = MatchStoreKeys.Rating(change.PlayerId);
        for (var attempt = 0; ; attempt++)
        {
            var item = await store.GetAsync(key, cancellationToken);
            var rating = item is null
                ? new RatingRecord { Mu = ratingModel.Mu, Sigma = ratingModel.Sigma }
                : RatingRecord.Parser.ParseFrom(item.Value.Span);
            if (rating.RecentMatchIds.Contains(matchId))
            {
                return new PlayerRating(rating.Mu, rating.Sigma);
            }

            var next = ApplyChange(new PlayerRating(rating.Mu, rating.Sigma), change);
            rating.Mu = next.Mu;
            rating.Sigma = next.Sigma;
            rating.MatchesPlayed++;
            rating.UpdatedAtUnixMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            rating.RecentMatchIds.Add(matchId);
            while (rating.RecentMatchIds.Count > _options.RecentMatchIds)
            {
                rating.RecentMatchIds.RemoveAt(0);
            }

            if (await store.TryWriteAsync(key, rating.ToByteArray(), item?.Version ?? 0, expiresAt: null, cancellationToken) is not null)
            {
                return next;
            }

            ThrowWhenOutOfRetries(attempt, matchId);
        }
    }

    internal static PlayerRating ApplyChange(PlayerRating current, MatchRatingChange change)
    {
        if (current.Mu == change.MuBefore && current.Sigma == change.SigmaBefore)
        {
            return new PlayerRating(change.MuAfter, change.SigmaAfter);
        }

        var sigma = current.Sigma * (change.SigmaAfter / change.SigmaBefore);
        return new PlayerRating(current.Mu + (change.MuAfter - change.MuBefore), double.IsFinite(sigma) && sigma > 0 ? sigma : current.Sigma);
    }

    private async ValueTask CompleteAsync(string matchId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (item, record) = await ReadMatchAsync(matchId, cancellationToken);
            if (item is null || record is null || record.State == MatchRecordState.Completed)
            {
                return;
            }

            record.State = MatchRecordState.Completed;
            record.CompletedAtUnixMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            if (await store.TryWriteAsync(item.Key, record.ToByteArray(), item.Version, item.ExpiresAt, cancellationToken) is not null)
            {
                LogCompleted(matchId, record.RatingChanges.Count);
                return;
            }

            ThrowWhenOutOfRetries(attempt, matchId);
        }
    }

    private List<OutgoingMessage> Commands(IncomingMessage message, MatchRecord record)
    {
        var outcomes = MatchOutcomes.FromPlacements(record.Result.Placements);
        var stats = record.Result.Players.ToDictionary(p => p.PlayerId, StringComparer.Ordinal);
        var queue = queueNames.ForMessageType(MessageTypes.AccountsApplyMatchResult);
        var sentAt = timeProvider.GetUtcNow();
        var commands = new List<OutgoingMessage>();
        foreach (var team in record.Teams)
        {
            foreach (var player in team.Players.Where(p => !p.Bot))
            {
                var command = new ApplyMatchResultCommand
                {
                    MatchId = record.MatchId,
                    AccountId = player.PlayerId,
                    GameMode = record.GameMode,
                    Outcome = outcomes[team.Name],
                };
                if (stats.TryGetValue(player.PlayerId, out var playerStats))
                {
                    command.Stats.Add(playerStats.Stats);
                }

                commands.Add(new OutgoingMessage(queue, new MessageEnvelope
                {
                    MessageType = MessageTypes.AccountsApplyMatchResult,
                    MessageId = Guid.NewGuid().ToString("N"),
                    CorrelationId = record.MatchId,
                    PlayerId = player.PlayerId,
                    DeploymentVersion = message.Envelope.DeploymentVersion,
                    TraceId = message.Envelope.TraceId,
                    SentAt = sentAt,
                    Payload = command.ToByteArray(),
                }));
            }
        }

        // The match is over for its players: the friends service shows them as idle again (time: when the result was accepted).
        var endedAt = DateTimeOffset.FromUnixTimeMilliseconds(record.ResultAcceptedAtUnixMs);
        commands.AddRange(record.Teams.SelectMany(t => t.Players).Where(p => !p.Bot).Select(p =>
            FriendActivityNotices.Notice(queueNames, message.Envelope.DeploymentVersion, p.PlayerId, PlayerActivity.Idle, endedAt, sentAt)));
        return commands;
    }

    private async ValueTask<(StoredItem? Item, MatchRecord? Record)> ReadMatchAsync(string matchId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(MatchStoreKeys.Match(matchId), cancellationToken);
        return item is null ? (null, null) : (item, MatchRecord.Parser.ParseFrom(item.Value.Span));
    }

    private void ThrowWhenOutOfRetries(int attempt, string matchId)
    {
        if (attempt + 1 >= _options.ConflictRetries)
        {
            throw new InvalidOperationException($"Match {matchId}: {_options.ConflictRetries} conditional writes in a row lost to concurrent writers; the report will be redelivered.");
        }
    }

    private static string Printable(string value)
    {
        var cut = value.Length > MaxMatchIdLength ? value[..MaxMatchIdLength] : value;
        return new string([.. cut.Select(c => c is < ' ' or > '~' ? '?' : c)]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Game server report {MessageId} could not be decoded; dropped")]
    private partial void LogUndecodable(string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Game server report for match {MatchId} from game server {GameServerId} rejected: {Reason}")]
    private partial void LogRejected(string matchId, string gameServerId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Match {MatchId}: started report ignored in state {State}")]
    private partial void LogStartIgnored(string matchId, MatchRecordState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Match {MatchId} started on game server {GameServerId}")]
    private partial void LogStarted(string matchId, string gameServerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Match {MatchId}: result from game server {GameServerId} accepted ({RatedPlayers} rated players)")]
    private partial void LogAccepted(string matchId, string gameServerId, int ratedPlayers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Match {MatchId} completed ({RatedPlayers} ratings and leaderboard scores updated)")]
    private partial void LogCompleted(string matchId, int ratedPlayers);
}
