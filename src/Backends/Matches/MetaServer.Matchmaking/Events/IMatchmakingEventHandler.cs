using MetaServer.Pipelines;

namespace MetaServer.Matchmaking.Events;

/// <summary>
/// Consumes FlexMatch matchmaking events read from the matchmaking events queue (whichever matchmaker produced
/// them). Called for every delivery, possibly more than once and out of order: it must be idempotent.
/// </summary>
public interface IMatchmakingEventHandler
{
    ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(MatchmakingEvent matchmakingEvent, CancellationToken cancellationToken);
}
