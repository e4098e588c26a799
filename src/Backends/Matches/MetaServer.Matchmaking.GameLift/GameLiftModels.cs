using System.Text.Json.Serialization;

namespace MetaServer.Matchmaking.GameLift;

// Request and response shapes of the GameLift API reference (JSON protocol 1.1); property names are the wire names.

/// <summary>
/// A player attribute value: exactly one of <see cref="S"/> (string, 1..100 chars), <see cref="N"/> (number),
/// <see cref="SL"/> (up to 100 strings of 1..100 chars) or <see cref="SDM"/> (up to 10 string-to-number pairs).
/// </summary>
public sealed record AttributeValue
{
    public string? S { get; init; }

    public double? N { get; init; }

    public IReadOnlyList<string>? SL { get; init; }

    public IReadOnlyDictionary<string, double>? SDM { get; init; }

    public static AttributeValue String(string value) => new() { S = value };

    public static AttributeValue Number(double value) => new() { N = value };

    public static AttributeValue StringList(params IReadOnlyList<string> values) => new() { SL = values };

    public static AttributeValue StringDoubleMap(IReadOnlyDictionary<string, double> values) => new() { SDM = values };
}

/// <summary>A player in matchmaking; <see cref="Team"/> is set by GameLift once matched.</summary>
public sealed record Player
{
    public required string PlayerId { get; init; }

    /// <summary>Up to 10 attributes, keyed by the rule set's <c>playerAttributes</c> names.</summary>
    public IReadOnlyDictionary<string, AttributeValue>? PlayerAttributes { get; init; }

    public string? Team { get; init; }

    /// <summary>Latency in milliseconds (≥ 1) to each AWS region the player can play in.</summary>
    public IReadOnlyDictionary<string, int>? LatencyInMs { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<MatchmakingTicketStatus>))]
public enum MatchmakingTicketStatus
{
    [JsonStringEnumMemberName("QUEUED")]
    Queued,

    [JsonStringEnumMemberName("SEARCHING")]
    Searching,

    [JsonStringEnumMemberName("REQUIRES_ACCEPTANCE")]
    RequiresAcceptance,

    [JsonStringEnumMemberName("PLACING")]
    Placing,

    [JsonStringEnumMemberName("COMPLETED")]
    Completed,

    [JsonStringEnumMemberName("FAILED")]
    Failed,

    [JsonStringEnumMemberName("CANCELLED")]
    Cancelled,

    [JsonStringEnumMemberName("TIMED_OUT")]
    TimedOut,
}

[JsonConverter(typeof(JsonStringEnumConverter<AcceptanceType>))]
public enum AcceptanceType
{
    [JsonStringEnumMemberName("ACCEPT")]
    Accept,

    [JsonStringEnumMemberName("REJECT")]
    Reject,
}

public sealed record MatchedPlayerSession
{
    public string? PlayerId { get; init; }

    public string? PlayerSessionId { get; init; }
}

/// <summary>Where the matched players connect, once the game session is placed.</summary>
public sealed record GameSessionConnectionInfo
{
    public string? GameSessionArn { get; init; }

    public string? IpAddress { get; init; }

    public string? DnsName { get; init; }

    public int? Port { get; init; }

    public IReadOnlyList<MatchedPlayerSession>? MatchedPlayerSessions { get; init; }
}

/// <summary>A matchmaking ticket as <c>StartMatchmaking</c> and <c>DescribeMatchmaking</c> return it.</summary>
public sealed record MatchmakingTicket
{
    public string? TicketId { get; init; }

    public string? ConfigurationName { get; init; }

    public string? ConfigurationArn { get; init; }

    public MatchmakingTicketStatus? Status { get; init; }

    /// <summary>Why the ticket is in its status (e.g. <c>UNEXPECTED_ERROR</c>, <c>TIMED_OUT</c>).</summary>
    public string? StatusReason { get; init; }

    public string? StatusMessage { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? StartTime { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? EndTime { get; init; }

    public IReadOnlyList<Player>? Players { get; init; }

    public GameSessionConnectionInfo? GameSessionConnectionInfo { get; init; }

    /// <summary>Estimated wait in seconds, when GameLift has one.</summary>
    public int? EstimatedWaitTime { get; init; }
}

public sealed record StartMatchmakingRequest
{
    /// <summary>Optional ticket id (up to 128 of <c>[a-zA-Z0-9-.]</c>); GameLift makes a UUID when absent.</summary>
    public string? TicketId { get; init; }

    /// <summary>Matchmaking configuration name or ARN.</summary>
    public required string ConfigurationName { get; init; }

    /// <summary>1 to 10 players, matched together on one team.</summary>
    public required IReadOnlyList<Player> Players { get; init; }
}

public sealed record StartMatchmakingResponse
{
    public MatchmakingTicket? MatchmakingTicket { get; init; }
}

public sealed record StopMatchmakingRequest
{
    public required string TicketId { get; init; }
}

public sealed record StopMatchmakingResponse;

public sealed record AcceptMatchRequest
{
    public required string TicketId { get; init; }

    /// <summary>The players on the ticket who accept or reject.</summary>
    public required IReadOnlyList<string> PlayerIds { get; init; }

    public required AcceptanceType AcceptanceType { get; init; }
}

public sealed record AcceptMatchResponse;

public sealed record DescribeMatchmakingRequest
{
    /// <summary>1 to 10 ticket ids.</summary>
    public required IReadOnlyList<string> TicketIds { get; init; }
}

public sealed record DescribeMatchmakingResponse
{
    public IReadOnlyList<MatchmakingTicket>? TicketList { get; init; }
}
