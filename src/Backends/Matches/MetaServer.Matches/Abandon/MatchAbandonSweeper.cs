using System.Diagnostics.Metrics;
using Google.Protobuf;
using MetaServer.Matches.Service;
using MetaServer.Matches.Storage;
using MetaServer.Messaging;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Abandon;

/// <summary>What one sweep did.</summary>
internal sealed record AbandonSweepReport(int Abandoned, int Rescheduled, int BucketsClosed, int Failed);

/// <summary>
/// Abandons overdue matches found through the <see cref="OpenMatchIndex"/>. One sweep walks the buckets from the
/// cursor up to now: a bucket whose time range has passed is sealed (no new entries), its due entries are checked,
/// and once every entry is done the cursor moves past it (the emptied, sealed shards stay as expiring tombstones);
/// in the current bucket only due entries are checked.
/// <para>
/// Checking an entry re-reads the match. COMPLETED, or a result accepted: done. Its deadline (<see cref="OpenMatchIndex.DeadlineOf"/>)
/// later than now (it started meanwhile): re-indexed at the new deadline. Otherwise CREATED/STARTED → ABANDONED with
/// a conditional write on the match's version, so when several sweepers or a result race, exactly one wins: a result
/// accepted first stops the abandon, an abandon first makes the result rejected. An ABANDONED match (won here or by
/// a sweeper that stopped half-way) then has its players freed (their <c>player#</c> record no longer points at
/// it; each player changed here gets a FAILED <see cref="MatchmakingUpdateEvent"/> naming the match when online) and
/// its per-match queue deleted. An entry is removed from its bucket only after all of that succeeded.
/// </para>
/// </summary>
internal sealed partial class MatchAbandonSweeper(
    FlowStore store,
    OpenMatchIndex index,
    PlayerPushes pushes,
    IMessageTransport transport,
    IOptions<AbandonOptions> options,
    IOptions<MatchesOptions> matchesOptions,
    TimeProvider timeProvider,
    ILogger<MatchAbandonSweeper> logger,
    IMeterFactory? meterFactory = null)
{
    /// <summary>Name of the matches service's <see cref="Meter"/>.</summary>
    public const string MeterName = "MetaServer.Matches";

    private readonly Counter<long>? _abandoned = meterFactory?.Create(MeterName)
        .CreateCounter<long>("metaserver.matches.abandoned", "{match}", "Matches abandoned by the sweeper, by reason (not_started, no_result).");

    public async Task<AbandonSweepReport> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var tally = new Tally();
        var now = timeProvider.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var (cursor, cursorVersion) = await ReadOrCreateCursorAsync(nowMs, cancellationToken);
        var bucket = cursor.NextBucketUnixMs;
        var steps = 0;
        while (bucket <= nowMs && tally.BucketsClosed < options.Value.MaxBucketsPerSweep && steps++ < 4 * options.Value.MaxBucketsPerSweep)
        {
            var closing = bucket + index.WidthMs <= nowMs;
            var left = await SweepBucketAsync(bucket, closing, now, tally, cancellationToken);
            if (!closing || left > 0)
            {
                break;
            }

            var next = new OpenMatchCursor { NextBucketUnixMs = bucket + index.WidthMs };
            if (await index.TryWriteCursorAsync(next, cursorVersion, cancellationToken))
            {
                cursorVersion++;
                tally.BucketsClosed++;
                bucket = next.NextBucketUnixMs;
                continue;
            }

            // Another sweeper moved the cursor: carry on from where it is now.
            (var moved, cursorVersion) = await index.ReadCursorAsync(cancellationToken);
            if (moved is null)
            {
                break;
            }

            bucket = moved.NextBucketUnixMs;
        }

        var report = new AbandonSweepReport(tally.Abandoned, tally.Rescheduled, tally.BucketsClosed, tally.Failed);
        if (report.Abandoned + report.Rescheduled + report.Failed > 0)
        {
            LogSwept(report.Abandoned, report.Rescheduled, report.BucketsClosed, report.Failed);
        }

        return report;
    }

    private async Task<(OpenMatchCursor Cursor, long Version)> ReadOrCreateCursorAsync(long nowMs, CancellationToken cancellationToken)
    {
        var (cursor, version) = await index.ReadCursorAsync(cancellationToken);
        if (cursor is not null)
        {
            return (cursor, version);
        }

        // First sweep of this store: nothing indexed can be due earlier than one start timeout ago.
        var start = new OpenMatchCursor { NextBucketUnixMs = index.BucketOf(nowMs - (long)options.Value.StartTimeout.TotalMilliseconds) };
        if (await index.TryWriteCursorAsync(start, 0, cancellationToken))
        {
            return (start, 1);
        }

        (cursor, version) = await index.ReadCursorAsync(cancellationToken);
        return cursor is null ? throw new MatchStoreConflictException("The open-match cursor could not be created nor read.") : (cursor, version);
    }

    /// <summary>Sweeps every shard of the bucket; returns how many entries are left in it.</summary>
    private async Task<int> SweepBucketAsync(long bucket, bool closing, DateTimeOffset now, Tally tally, CancellationToken cancellationToken)
    {
        var keys = Enumerable.Range(0, index.Shards).Select(shard => MatchStoreKeys.OpenMatches(bucket, shard)).ToList();
        var items = (await store.Store.GetManyAsync(keys, cancellationToken)).ToDictionary(i => i.Key, StringComparer.Ordinal);
        var left = 0;
        foreach (var key in keys)
        {
            var (record, version) = items.TryGetValue(key, out var item)
                ? (FlowRecordCodec.Decode<OpenMatchBucket>(item.Value), item.Version)
                : (new OpenMatchBucket(), 0L);
            if (!closing && record.Entries.Count == 0)
            {
                continue;
            }

            left += await SweepShardAsync(key, bucket, record, version, closing, now, tally, cancellationToken);
        }

        return left;
    }

    private async Task<int> SweepShardAsync(string key, long bucket, OpenMatchBucket record, long version, bool closing, DateTimeOffset now, Tally tally, CancellationToken cancellationToken)
    {
        if (closing && !record.Sealed)
        {
            (record, version) = await UpdateShardAsync(key, bucket, record, version, r => r.Sealed ? null : r with { Sealed = true }, cancellationToken);
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        var done = new HashSet<OpenMatchEntry>();
        foreach (var entry in record.Entries.Where(e => e.DeadlineUnixMs <= nowMs))
        {
            try
            {
                await CheckAsync(entry, now, tally, cancellationToken);
                done.Add(entry);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                tally.Failed++;
                LogCheckFailed(ex, entry.MatchId);
            }
        }

        if (done.Count > 0)
        {
            (record, _) = await UpdateShardAsync(key, bucket, record, version, r => r with { Entries = [.. r.Entries.Where(e => !done.Contains(e))] }, cancellationToken);
        }

        return record.Entries.Count;
    }

    /// <summary>Conditional read-modify-write of one shard (null from <paramref name="change"/>: leave it).</summary>
    private async Task<(OpenMatchBucket Record, long Version)> UpdateShardAsync(
        string key, long bucket, OpenMatchBucket record, long version, Func<OpenMatchBucket, OpenMatchBucket?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var changed = change(record);
            if (changed is null)
            {
                return (record, version);
            }

            if (await index.WriteAsync(key, changed, version, bucket, cancellationToken))
            {
                return (changed, version + 1);
            }

            store.ThrowWhenExhausted(attempt, key);
            (record, version) = await index.ReadAsync(key, cancellationToken);
        }
    }

    /// <summary>Abandons the match when it is overdue, re-indexes it when it is not yet, frees its players once abandoned.</summary>
    private async Task CheckAsync(OpenMatchEntry entry, DateTimeOffset now, Tally tally, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var item = await store.Store.GetAsync(MatchStoreKeys.Match(entry.MatchId), cancellationToken);
            if (item is null)
            {
                LogUnknownMatch(entry.MatchId);
                return;
            }

            var match = MatchRecord.Parser.ParseFrom(item.Value.Span);
            if (match.State == MatchRecordState.Abandoned)
            {
                await ReleaseAsync(match, cancellationToken);
                return;
            }

            if (index.DeadlineOf(match) is not { } deadline)
            {
                return;
            }

            if (deadline > now)
            {
                await index.AddAsync(match.MatchId, deadline, cancellationToken);
                tally.Rescheduled++;
                return;
            }

            var started = match.State == MatchRecordState.Started;
            var previous = match.State;
            match.State = MatchRecordState.Abandoned;
            match.AbandonedAtUnixMs = now.ToUnixTimeMilliseconds();
            match.AbandonReason = started
                ? $"no result within {matchesOptions.Value.MaxMatchDuration} of the hand-off"
                : $"the game server did not start it within {options.Value.StartTimeout}";
            if (await store.Store.TryWriteAsync(item.Key, match.ToByteArray(), item.Version, item.ExpiresAt, cancellationToken) is not null)
            {
                tally.Abandoned++;
                _abandoned?.Add(1, new KeyValuePair<string, object?>("reason", started ? "no_result" : "not_started"));
                LogAbandoned(match.MatchId, previous, match.AbandonReason);
                await ReleaseAsync(match, cancellationToken);
                return;
            }

            store.ThrowWhenExhausted(attempt, "match " + entry.MatchId);
        }
    }

    /// <summary>Frees the players still held by the abandoned match, tells the online ones, deletes the per-match queue. Idempotent.</summary>
    private async Task ReleaseAsync(MatchRecord match, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, MatchmakingStatus>(StringComparer.Ordinal);
        foreach (var team in match.Teams)
        {
            foreach (var player in team.Players.Where(p => !p.Bot))
            {
                var freed = await store.MutatePlayerAsync(
                    player.PlayerId,
                    p => p.MatchId == match.MatchId ? p with { MatchId = null, MatchExpiresAt = null } : null,
                    cancellationToken);
                if (freed)
                {
                    var (ticket, _) = player.TicketId.Length > 0 ? await store.GetTicketAsync(player.TicketId, cancellationToken) : (null, 0);
                    statuses[player.PlayerId] = AbandonedStatus(match, team.Name, player, ticket);
                }
            }
        }

        // The pushes, then the friends service's presence (IN_MATCH → idle) of every freed player.
        var messages = (await pushes.UpdatesAsync(statuses.Keys, id => statuses[id], cancellationToken)).Concat(statuses.Keys.Select(pushes.Idle));
        foreach (var message in messages)
        {
            try
            {
                await transport.SendAsync(message.QueueName, EnvelopeCodec.Encode(message.Envelope), cancellationToken);
            }
            catch (TransportException ex)
            {
                // The frontend holding the session went away: the player sees the state on the next status request.
                LogPushFailed(ex, match.MatchId, message.Envelope.PlayerId ?? string.Empty);
            }
        }

        if (match.MatchQueue.Length > 0)
        {
            try
            {
                await transport.DeleteQueueAsync(match.MatchQueue, cancellationToken);
            }
            catch (QueueDoesNotExistException)
            {
                // Deleted by an earlier attempt.
            }
        }

        LogReleased(match.MatchId, statuses.Count);
    }

    /// <summary>What a player of an abandoned match is told: FAILED, with the match named and why.</summary>
    internal static MatchmakingStatus AbandonedStatus(MatchRecord match, string team, MatchParticipant player, TicketRecord? ticket)
    {
        var status = ticket is null ? new MatchmakingStatus { GameMode = match.GameMode } : TicketStatuses.For(ticket, player.PlayerId, match);
        status.State = MatchmakingState.Failed;
        status.Reason = $"The match was abandoned ({match.AbandonReason}). You can queue again.";
        status.Assignment ??= new MatchAssignment();
        status.Assignment.MatchId = match.MatchId;
        status.Assignment.Map = match.Map;
        status.Assignment.Team = team;
        return status;
    }

    private sealed class Tally
    {
        public int Abandoned { get; set; }

        public int Rescheduled { get; set; }

        public int BucketsClosed { get; set; }

        public int Failed { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Match {MatchId} abandoned (was {PreviousState}): {Reason}")]
    private partial void LogAbandoned(string matchId, MatchRecordState previousState, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Abandoned match {MatchId}: {Players} players freed, per-match queue deleted")]
    private partial void LogReleased(string matchId, int players);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Open-match index names match {MatchId}, which is not in the store; entry dropped")]
    private partial void LogUnknownMatch(string matchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking overdue match {MatchId} failed; retried on the next sweep")]
    private partial void LogCheckFailed(Exception exception, string matchId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Abandoned match {MatchId}: push to player {PlayerId} failed")]
    private partial void LogPushFailed(Exception exception, string matchId, string playerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Abandon sweep: {Abandoned} abandoned, {Rescheduled} re-indexed, {BucketsClosed} buckets closed, {Failed} failed")]
    private partial void LogSwept(int abandoned, int rescheduled, int bucketsClosed, int failed);
}
