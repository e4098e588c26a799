using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking;

/// <summary>
/// The matchmaker seam: the GameLift FlexMatch client and the offline FlexMatch-compatible engine both implement it,
/// with GameLift's semantics. Calls only submit or change tickets; what happens to a ticket afterwards is reported as
/// FlexMatch matchmaking events (<see cref="Events.MatchmakingEvent"/>) on the matchmaking events queue, so the matches
/// service sees the same tickets and events whichever implementation runs.
/// </summary>
public interface IMatchmaker
{
    /// <summary>
    /// Submits a ticket of 1 to 10 players. The ticket starts QUEUED; a MatchmakingSearching event follows.
    /// </summary>
    /// <exception cref="MatchmakerException">The request was refused (unknown configuration, duplicate ticket id, bad players, …).</exception>
    Task StartMatchmakingAsync(MatchmakingTicketRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels a ticket that has not ended; a MatchmakingCancelled event follows. Stopping an ended or unknown ticket does nothing.</summary>
    Task StopMatchmakingAsync(string ticketId, CancellationToken cancellationToken = default);

    /// <summary>Accepts or rejects a proposed match for players of a ticket in REQUIRES_ACCEPTANCE; an AcceptMatch event follows.</summary>
    /// <exception cref="MatchmakerException">The ticket is not waiting for acceptance, or a player is not on it.</exception>
    Task AcceptMatchAsync(string ticketId, IReadOnlyList<string> playerIds, bool accept, CancellationToken cancellationToken = default);
}

/// <summary>A ticket to submit: ids are chosen by the caller (GameLift accepts caller-chosen ticket ids).</summary>
public sealed record MatchmakingTicketRequest(string TicketId, string ConfigurationName, IReadOnlyList<MatchmakingPlayer> Players);

/// <summary>
/// One player of a ticket: FlexMatch player attributes (missing ones take the rule set's defaults) and the measured
/// latency to each region in milliseconds.
/// </summary>
public sealed record MatchmakingPlayer(
    string PlayerId,
    IReadOnlyDictionary<string, AttributeValue> Attributes,
    IReadOnlyDictionary<string, int> LatencyInMs);

/// <summary>Why a matchmaker refused a call, with GameLift's error codes.</summary>
public enum MatchmakerErrorCode
{
    /// <summary>GameLift InvalidRequestException: bad arguments, ticket not in a state that allows the call.</summary>
    InvalidRequest = 0,

    /// <summary>GameLift NotFoundException: unknown configuration or ticket.</summary>
    NotFound = 1,

    /// <summary>GameLift UnsupportedRegionException.</summary>
    UnsupportedRegion = 2,

    /// <summary>Throttling or a service failure that outlived the retries; the call may be retried later.</summary>
    Unavailable = 3,
}

/// <summary>A matchmaker call was refused; <see cref="Code"/> says why.</summary>
public sealed class MatchmakerException(MatchmakerErrorCode code, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public MatchmakerErrorCode Code { get; } = code;
}
