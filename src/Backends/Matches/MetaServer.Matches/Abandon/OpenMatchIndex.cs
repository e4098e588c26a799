using System.Security.Cryptography;
using System.Text;
using MetaServer.Matches.Service;
using MetaServer.Matches.Storage;
using MetaServer.Protocol.Internal.V1;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Abandon;

/// <summary>One indexed match: its id and the time from which it is due for a check.</summary>
internal sealed record OpenMatchEntry(string MatchId, long DeadlineUnixMs);

/// <summary>
/// One shard of an index bucket (<c>open-matches#&lt;bucket start&gt;#&lt;shard&gt;</c>). A sealed bucket takes no new
/// entries: the sweeper seals a bucket once its time range has passed, before it processes and closes it.
/// </summary>
internal sealed record OpenMatchBucket
{
    public List<OpenMatchEntry> Entries { get; init; } = [];

    public bool Sealed { get; init; }
}

/// <summary>The sweeper's position (<c>open-matches-cursor</c>): the oldest bucket start not yet closed.</summary>
internal sealed record OpenMatchCursor
{
    public long NextBucketUnixMs { get; init; }
}

/// <summary>
/// The open-match index: a time-bucketed list of matches that may need abandoning, kept in ordinary
/// <see cref="IMatchStore"/> items written one at a time with conditional writes (no query, no transaction). A bucket
/// starts at a multiple of <see cref="AbandonOptions.BucketWidth"/> (Unix milliseconds) and is split into
/// <see cref="AbandonOptions.IndexShards"/> items; an entry goes to the bucket of its deadline (or of now, when the
/// deadline has passed) and the shard of its match id. When that shard is sealed or full it goes to the next bucket.
/// </summary>
internal sealed class OpenMatchIndex(FlowStore store, IOptions<AbandonOptions> options, IOptions<MatchesOptions> matchesOptions, TimeProvider timeProvider)
{
    /// <summary>Most entries per shard item (about 80 bytes each, well below the store's value limit).</summary>
    public const int MaxEntriesPerShard = 3000;

    /// <summary>How long an emptied, sealed bucket stays as a tombstone that turns late writers to a later bucket.</summary>
    public static readonly TimeSpan TombstoneRetention = TimeSpan.FromDays(1);

    /// <summary>Safety expiry of a live bucket (so an index left behind by a disabled sweeper goes away).</summary>
    public static readonly TimeSpan BucketRetention = TimeSpan.FromDays(14);

    public long WidthMs => (long)options.Value.BucketWidth.TotalMilliseconds;

    public int Shards => options.Value.IndexShards;

    public long BucketOf(long unixMs) => unixMs - (((unixMs % WidthMs) + WidthMs) % WidthMs);

    public int ShardOf(string matchId) => (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(matchId)), 0) % (uint)Shards);

    /// <summary>
    /// When the match is due to be abandoned, or null when it never is (COMPLETED, ABANDONED or its result accepted):
    /// CREATED (no start reported) at creation + <see cref="AbandonOptions.StartTimeout"/>, STARTED at creation +
    /// <see cref="MatchesOptions.MaxMatchDuration"/> (when the players' claim on it expires, too).
    /// </summary>
    public DateTimeOffset? DeadlineOf(MatchRecord match)
    {
        if (TicketStatuses.IsOver(match) || match.Result is not null)
        {
            return null;
        }

        var created = DateTimeOffset.FromUnixTimeMilliseconds(match.CreatedAtUnixMs);
        return match.State == MatchRecordState.Started ? created + matchesOptions.Value.MaxMatchDuration : created + options.Value.StartTimeout;
    }

    /// <summary>Indexes a match being handed to the game servers (nothing when abandoning is disabled or the match is over).</summary>
    public async ValueTask TrackAsync(MatchRecord match, CancellationToken cancellationToken)
    {
        if (options.Value.Enabled && DeadlineOf(match) is { } deadline)
        {
            await AddAsync(match.MatchId, deadline, cancellationToken);
        }
    }

    /// <summary>Adds the match with its deadline (idempotent for the same pair in the same bucket).</summary>
    public async ValueTask AddAsync(string matchId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var deadlineMs = deadline.ToUnixTimeMilliseconds();
        var bucket = BucketOf(Math.Max(deadlineMs, timeProvider.GetUtcNow().ToUnixTimeMilliseconds()));
        var shard = ShardOf(matchId);
        var entry = new OpenMatchEntry(matchId, deadlineMs);
        for (var attempt = 1; ; )
        {
            var key = MatchStoreKeys.OpenMatches(bucket, shard);
            var (record, version) = await ReadAsync(key, cancellationToken);
            if (record.Entries.Contains(entry))
            {
                return;
            }

            if (record.Sealed || record.Entries.Count >= MaxEntriesPerShard)
            {
                bucket += WidthMs;
                continue;
            }

            var next = record with { Entries = [.. record.Entries, entry] };
            if (await WriteAsync(key, next, version, bucket, cancellationToken))
            {
                return;
            }

            store.ThrowWhenExhausted(attempt++, key);
        }
    }

    public async ValueTask<(OpenMatchBucket Record, long Version)> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var item = await store.Store.GetAsync(key, cancellationToken);
        return item is null ? (new OpenMatchBucket(), 0) : (FlowRecordCodec.Decode<OpenMatchBucket>(item.Value), item.Version);
    }

    /// <summary>Conditional write of a shard; an emptied sealed shard becomes a tombstone that expires.</summary>
    public async ValueTask<bool> WriteAsync(string key, OpenMatchBucket record, long expectedVersion, long bucketStartMs, CancellationToken cancellationToken)
    {
        var end = DateTimeOffset.FromUnixTimeMilliseconds(bucketStartMs + WidthMs);
        var expiresAt = record.Sealed && record.Entries.Count == 0 ? end + TombstoneRetention : end + BucketRetention;
        return await store.Store.TryWriteAsync(key, FlowRecordCodec.Encode(record), expectedVersion, expiresAt, cancellationToken) is not null;
    }

    public async ValueTask<(OpenMatchCursor? Cursor, long Version)> ReadCursorAsync(CancellationToken cancellationToken)
    {
        var item = await store.Store.GetAsync(MatchStoreKeys.OpenMatchesCursor, cancellationToken);
        return item is null ? (null, 0) : (FlowRecordCodec.Decode<OpenMatchCursor>(item.Value), item.Version);
    }

    public async ValueTask<bool> TryWriteCursorAsync(OpenMatchCursor cursor, long expectedVersion, CancellationToken cancellationToken) =>
        await store.Store.TryWriteAsync(MatchStoreKeys.OpenMatchesCursor, FlowRecordCodec.Encode(cursor), expectedVersion, null, cancellationToken) is not null;
}
