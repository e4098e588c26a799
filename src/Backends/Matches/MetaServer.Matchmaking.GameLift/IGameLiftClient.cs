namespace MetaServer.Matchmaking.GameLift;

/// <summary>
/// The FlexMatch actions of Amazon GameLift the matches service uses. Requests are checked against the API
/// reference's constraints first (<see cref="ArgumentException"/>); GameLift errors throw <see cref="GameLiftException"/>
/// after retrying throttling, 5xx and network failures.
/// </summary>
public interface IGameLiftClient
{
    /// <summary>Submits a ticket of 1 to 10 players; the ticket comes back QUEUED.</summary>
    Task<StartMatchmakingResponse> StartMatchmakingAsync(StartMatchmakingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Cancels a ticket (the ticket ends CANCELLED; a MatchmakingCancelled event follows).</summary>
    Task<StopMatchmakingResponse> StopMatchmakingAsync(StopMatchmakingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Accepts or rejects a proposed match for players of a ticket in REQUIRES_ACCEPTANCE.</summary>
    Task<AcceptMatchResponse> AcceptMatchAsync(AcceptMatchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads up to 10 tickets. For diagnostics only: ticket changes are tracked through matchmaking events.</summary>
    Task<DescribeMatchmakingResponse> DescribeMatchmakingAsync(DescribeMatchmakingRequest request, CancellationToken cancellationToken = default);
}
