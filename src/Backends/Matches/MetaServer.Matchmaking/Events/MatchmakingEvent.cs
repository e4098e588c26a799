namespace MetaServer.Matchmaking.Events;

/// <summary>The FlexMatch event types (<c>detail.type</c>).</summary>
public enum MatchmakingEventType
{
    MatchmakingSearching,
    PotentialMatchCreated,
    AcceptMatch,
    AcceptMatchCompleted,
    MatchmakingSucceeded,
    MatchmakingTimedOut,
    MatchmakingCancelled,
    MatchmakingFailed,
}

/// <summary>How match acceptance ended (<c>detail.acceptance</c> of AcceptMatchCompleted).</summary>
public enum MatchAcceptanceOutcome
{
    Accepted,
    Rejected,
    TimedOut,
}

/// <summary>A player of a ticket or of the proposed game session in a FlexMatch event.</summary>
public sealed record MatchmakingEventPlayer
{
    public required string PlayerId { get; init; }

    public string? Team { get; init; }

    /// <summary>Set once the game session is placed (MatchmakingSucceeded).</summary>
    public string? PlayerSessionId { get; init; }

    /// <summary>The player's answer so far (AcceptMatch events); null when not answered or not applicable.</summary>
    public bool? Accepted { get; init; }
}

public sealed record MatchmakingEventTicket
{
    public required string TicketId { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public required IReadOnlyList<MatchmakingEventPlayer> Players { get; init; }
}

/// <summary>The proposed or placed game session (<c>detail.gameSessionInfo</c>).</summary>
public sealed record MatchmakingEventGameSession
{
    public string? GameSessionArn { get; init; }

    public string? IpAddress { get; init; }

    public string? DnsName { get; init; }

    public int? Port { get; init; }

    public required IReadOnlyList<MatchmakingEventPlayer> Players { get; init; }
}

public sealed record RuleEvaluationMetric
{
    public required string RuleName { get; init; }

    public int PassedCount { get; init; }

    public int FailedCount { get; init; }
}

/// <summary>
/// One "GameLift Matchmaking Event" (the CloudWatch-events-shaped JSON FlexMatch publishes to SNS): the envelope's
/// id, time, region and resources, and the <c>detail</c> fields that apply to <see cref="Type"/>.
/// </summary>
public sealed record MatchmakingEvent
{
    public const string DetailType = "GameLift Matchmaking Event";

    public required MatchmakingEventType Type { get; init; }

    /// <summary>The event id (<c>id</c>).</summary>
    public required string EventId { get; init; }

    public required DateTimeOffset Time { get; init; }

    public string? Region { get; init; }

    public string? Account { get; init; }

    /// <summary>The matchmaking configuration ARN(s) the event is about.</summary>
    public required IReadOnlyList<string> Resources { get; init; }

    public required IReadOnlyList<MatchmakingEventTicket> Tickets { get; init; }

    /// <summary>Set for PotentialMatchCreated, AcceptMatch, AcceptMatchCompleted and MatchmakingSucceeded (and often MatchmakingFailed).</summary>
    public string? MatchId { get; init; }

    public MatchmakingEventGameSession? GameSessionInfo { get; init; }

    /// <summary>PotentialMatchCreated: whether players must accept the match.</summary>
    public bool? AcceptanceRequired { get; init; }

    /// <summary>PotentialMatchCreated: seconds the players have to accept.</summary>
    public int? AcceptanceTimeout { get; init; }

    /// <summary>AcceptMatchCompleted: how acceptance ended.</summary>
    public MatchAcceptanceOutcome? Acceptance { get; init; }

    /// <summary>MatchmakingSearching: estimated wait; null when GameLift reports <c>NOT_AVAILABLE</c>.</summary>
    public long? EstimatedWaitMillis { get; init; }

    public IReadOnlyList<RuleEvaluationMetric> RuleEvaluationMetrics { get; init; } = [];

    /// <summary>MatchmakingTimedOut / MatchmakingCancelled / MatchmakingFailed: e.g. <c>TimedOut</c>, <c>Cancelled</c>, <c>UNEXPECTED_ERROR</c>.</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }

    /// <summary>The matchmaking configuration's custom event data, when set.</summary>
    public string? CustomEventData { get; init; }

    /// <summary>The SNS notification's MessageId, when the event came in an SNS envelope.</summary>
    public string? SnsMessageId { get; init; }
}

/// <summary>An SQS message body that is not a well-formed GameLift matchmaking event; <see cref="Field"/> names the culprit.</summary>
public sealed class MatchmakingEventParseException : FormatException
{
    public MatchmakingEventParseException(string field, string problem, Exception? innerException = null)
        : base($"Not a valid GameLift matchmaking event: {field} {problem}", innerException)
    {
        Field = field;
    }

    /// <summary>JSON path of the offending field, e.g. <c>detail.tickets[0].ticketId</c> (<c>$</c> for the whole body).</summary>
    public string Field { get; }
}
