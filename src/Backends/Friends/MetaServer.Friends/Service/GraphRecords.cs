using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetaServer.Friends.Service;

/// <summary>What one player's side of a relation says (the other player keeps the mirror image).</summary>
internal enum RelationKind
{
    /// <summary>No friendship and no pending request (the entry may still carry a block).</summary>
    None,

    Friend,

    /// <summary>The other player asked this one.</summary>
    Incoming,

    /// <summary>This player asked the other one.</summary>
    Outgoing,
}

/// <summary>This player's view of one other player.</summary>
internal sealed record RelationEntry
{
    [JsonConverter(typeof(JsonStringEnumConverter<RelationKind>))]
    public RelationKind Kind { get; init; }

    /// <summary>When <see cref="Kind"/> began.</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>The operation that set <see cref="Kind"/> (lets a retried operation recognise its own write).</summary>
    public string? OpId { get; init; }

    /// <summary>This player blocked the other one.</summary>
    public bool Blocked { get; init; }

    public DateTimeOffset? BlockedSince { get; init; }

    /// <summary>Nothing worth keeping: the entry can be dropped.</summary>
    [JsonIgnore]
    public bool IsEmpty => Kind == RelationKind.None && !Blocked;
}

/// <summary>
/// One player's side of every relation (key <c>graph#&lt;account&gt;</c>), their friend code and the ids of the
/// operations this player made that are fully applied (newest last, bounded): a redelivered operation whose id is
/// here is answered again without changing anything.
/// </summary>
internal sealed record GraphRecord
{
    public const int MaxAppliedOps = 64;

    public Dictionary<string, RelationEntry> Relations { get; init; } = new(StringComparer.Ordinal);

    public string? FriendCode { get; init; }

    public List<string> AppliedOps { get; init; } = [];

    public RelationEntry? Of(string otherId) => Relations.GetValueOrDefault(otherId);

    public RelationKind KindOf(string otherId) => Of(otherId)?.Kind ?? RelationKind.None;

    public bool HasBlocked(string otherId) => Of(otherId)?.Blocked ?? false;

    public int Count(RelationKind kind) => Relations.Values.Count(r => r.Kind == kind);

    public int BlockedCount => Relations.Values.Count(r => r.Blocked);

    /// <summary>A copy with <paramref name="otherId"/>'s entry replaced (dropped when empty).</summary>
    public GraphRecord With(string otherId, RelationEntry? entry)
    {
        var relations = new Dictionary<string, RelationEntry>(Relations, StringComparer.Ordinal);
        if (entry is null || entry.IsEmpty)
        {
            relations.Remove(otherId);
        }
        else
        {
            relations[otherId] = entry;
        }

        return this with { Relations = relations };
    }

    /// <summary>A copy that records <paramref name="opId"/> as applied.</summary>
    public GraphRecord Applied(string opId) => this with { AppliedOps = [.. AppliedOps.Where(o => o != opId).Append(opId).TakeLast(MaxAppliedOps)] };
}

/// <summary>A player's latest reported activity (key <c>activity#&lt;account&gt;</c>).</summary>
internal sealed record ActivityRecord
{
    public Protocol.Internal.V1.PlayerActivity Activity { get; init; }

    public long AtUnixMs { get; init; }
}

/// <summary>The owner of a friend code (key <c>code#&lt;code&gt;</c>).</summary>
internal sealed record CodeRecord
{
    public required string AccountId { get; init; }
}

/// <summary>JSON coding of the service's records (opaque bytes to the store).</summary>
internal static class RecordCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Encode<T>(T record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    public static T Decode<T>(ReadOnlyMemory<byte> value) =>
        JsonSerializer.Deserialize<T>(value.Span, Options) ?? throw new JsonException($"Stored {typeof(T).Name} is null.");
}
