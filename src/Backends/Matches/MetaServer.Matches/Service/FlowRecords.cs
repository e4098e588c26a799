using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetaServer.Protocol.V1;

namespace MetaServer.Matches.Service;

/// <summary>
/// A player's matchmaking state (key <c>player#&lt;account&gt;</c>): the ticket the player was last put on and, once
/// that ticket was matched, the match and when the player stops being held by it.
/// </summary>
internal sealed record PlayerRecord
{
    public string? TicketId { get; init; }

    public string? MatchId { get; init; }

    public DateTimeOffset? MatchExpiresAt { get; init; }
}

/// <summary>One player of a ticket as the flow stores it.</summary>
internal sealed record TicketMember
{
    public required string AccountId { get; init; }

    public string Nickname { get; init; } = string.Empty;

    public long Skill { get; init; }

    public Dictionary<string, int> LatencyMs { get; init; } = [];

    public bool Accepted { get; init; }

    /// <summary>Set once matched.</summary>
    public string? Team { get; init; }
}

/// <summary>A matchmaking ticket (key <c>ticket#&lt;id&gt;</c>), written before the matchmaker is called and updated by its events.</summary>
internal sealed record TicketRecord
{
    public required string TicketId { get; init; }

    public required string GameMode { get; init; }

    public required string ConfigurationName { get; init; }

    /// <summary>Who asked: the player (solo) or the party leader.</summary>
    public required string RequestedBy { get; init; }

    public string? PartyId { get; init; }

    public required string ClientRequestId { get; init; }

    /// <summary>The members, requester (leader) first.</summary>
    public required List<TicketMember> Members { get; init; }

    public MatchmakingState State { get; init; } = MatchmakingState.Queued;

    /// <summary>True once the matchmaker accepted the ticket (or an event about it arrived).</summary>
    public bool Submitted { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>After this a non-ended ticket no longer holds its players (the final event was lost).</summary>
    public required DateTimeOffset LiveUntil { get; init; }

    public DateTimeOffset? LastEventTime { get; init; }

    /// <summary>Ids of the events applied, newest last (bounded), so a redelivery is applied once.</summary>
    public List<string> AppliedEventIds { get; init; } = [];

    public int EstimatedWaitSeconds { get; init; }

    public DateTimeOffset? AcceptanceDeadline { get; init; }

    public string? MatchId { get; init; }

    public string? Map { get; init; }

    public string? Reason { get; init; }

    public bool IsEnded => TicketStates.IsEnded(State);

    public bool Has(string accountId) => Members.Exists(m => m.AccountId == accountId);

    /// <summary>Whether the ticket still holds its players at <paramref name="now"/>.</summary>
    public bool HoldsPlayers(DateTimeOffset now, TimeSpan submitGrace) =>
        !IsEnded && now < LiveUntil && (Submitted || now < CreatedAt + submitGrace);
}

internal static class TicketStates
{
    public static bool IsEnded(MatchmakingState state) => state is MatchmakingState.Completed or MatchmakingState.Failed
        or MatchmakingState.Cancelled or MatchmakingState.TimedOut;
}

/// <summary>JSON coding of the flow's records (opaque bytes to the store).</summary>
internal static class FlowRecordCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Encode<T>(T record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    public static T Decode<T>(ReadOnlyMemory<byte> value) =>
        JsonSerializer.Deserialize<T>(value.Span, Options) ?? throw new JsonException($"Stored {typeof(T).Name} is null.");
}

/// <summary>Ticket ids derived from the idempotency key, so a retried start request finds its ticket.</summary>
internal static class TicketIds
{
    public static string For(string scope, string requesterId, string clientRequestId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + requesterId + "\n" + clientRequestId));
        return "t-" + Convert.ToHexStringLower(hash)[..32];
    }
}
