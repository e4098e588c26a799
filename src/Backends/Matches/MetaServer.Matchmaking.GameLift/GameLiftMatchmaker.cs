using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>
/// <see cref="IMatchmaker"/> over Amazon GameLift FlexMatch (<see cref="IGameLiftClient"/>). Request checks and GameLift
/// errors become <see cref="MatchmakerException"/>s with the matching code; ticket progress arrives as FlexMatch events
/// on the SNS-subscribed events queue.
/// </summary>
public sealed class GameLiftMatchmaker(IGameLiftClient client) : IMatchmaker
{
    public async Task StartMatchmakingAsync(MatchmakingTicketRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var gameLiftRequest = new StartMatchmakingRequest
        {
            TicketId = request.TicketId,
            ConfigurationName = request.ConfigurationName,
            Players = request.Players?.Select(ToPlayer).ToList() ?? [],
        };
        await CallAsync(() => client.StartMatchmakingAsync(gameLiftRequest, cancellationToken), ignoreEndedTicket: false).ConfigureAwait(false);
    }

    public Task StopMatchmakingAsync(string ticketId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        return CallAsync(() => client.StopMatchmakingAsync(new StopMatchmakingRequest { TicketId = ticketId }, cancellationToken), ignoreEndedTicket: true);
    }

    public Task AcceptMatchAsync(string ticketId, IReadOnlyList<string> playerIds, bool accept, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticketId);
        ArgumentNullException.ThrowIfNull(playerIds);
        var request = new AcceptMatchRequest
        {
            TicketId = ticketId,
            PlayerIds = playerIds,
            AcceptanceType = accept ? AcceptanceType.Accept : AcceptanceType.Reject,
        };
        return CallAsync(() => client.AcceptMatchAsync(request, cancellationToken), ignoreEndedTicket: false);
    }

    /// <summary>Maps a rule-set attribute value to GameLift's AttributeValue (S, N, SL or SDM).</summary>
    public static AttributeValue ToAttributeValue(RuleSets.AttributeValue value) => value switch
    {
        StringAttributeValue s => AttributeValue.String(s.Value),
        NumberAttributeValue n => AttributeValue.Number(n.Value),
        StringListAttributeValue l => AttributeValue.StringList([.. l.Values]),
        StringNumberMapAttributeValue m => AttributeValue.StringDoubleMap(m.Values),
        _ => throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, $"Attribute value {value.GetType().Name} has no GameLift equivalent."),
    };

    /// <summary>GameLift error code → seam error code.</summary>
    public static MatchmakerErrorCode ToErrorCode(string gameLiftErrorCode) => gameLiftErrorCode switch
    {
        GameLiftErrorCodes.InvalidRequest => MatchmakerErrorCode.InvalidRequest,
        GameLiftErrorCodes.NotFound => MatchmakerErrorCode.NotFound,
        GameLiftErrorCodes.UnsupportedRegion => MatchmakerErrorCode.UnsupportedRegion,
        _ => MatchmakerErrorCode.Unavailable,
    };

    private static Player ToPlayer(MatchmakingPlayer player) => new()
    {
        PlayerId = player.PlayerId,
        PlayerAttributes = player.Attributes?.ToDictionary(a => a.Key, a => ToAttributeValue(a.Value), StringComparer.Ordinal),
        LatencyInMs = player.LatencyInMs is { Count: > 0 } latency ? latency : null,
    };

    /// <param name="ignoreEndedTicket">StopMatchmaking: an unknown or ended ticket is not an error (the seam's contract).</param>
    private static async Task CallAsync<T>(Func<Task<T>> call, bool ignoreEndedTicket)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, ex.Message, ex);
        }
        catch (GameLiftException ex) when (ignoreEndedTicket && ex.ErrorCode is GameLiftErrorCodes.NotFound or GameLiftErrorCodes.InvalidRequest)
        {
            // Nothing to stop.
        }
        catch (GameLiftException ex)
        {
            throw new MatchmakerException(ToErrorCode(ex.ErrorCode), ex.Message, ex);
        }
    }
}
