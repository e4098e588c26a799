using MetaServer.Matches.Storage;
using MetaServer.Protocol.Internal.V1;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Service;

/// <summary>Typed reads and conditional read-modify-write loops over the <see cref="IMatchStore"/> records of the flow.</summary>
internal sealed class FlowStore(IMatchStore store, IOptions<MatchesOptions> options, TimeProvider timeProvider)
{
    public IMatchStore Store => store;

    public async ValueTask<(PlayerRecord Record, long Version)> GetPlayerAsync(string accountId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(MatchStoreKeys.Player(accountId), cancellationToken);
        return item is null ? (new PlayerRecord(), 0) : (FlowRecordCodec.Decode<PlayerRecord>(item.Value), item.Version);
    }

    public async ValueTask<bool> TryWritePlayerAsync(string accountId, PlayerRecord record, long expectedVersion, CancellationToken cancellationToken) =>
        await store.TryWriteAsync(MatchStoreKeys.Player(accountId), FlowRecordCodec.Encode(record), expectedVersion, null, cancellationToken) is not null;

    public async ValueTask<(TicketRecord? Record, long Version)> GetTicketAsync(string ticketId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(MatchStoreKeys.Ticket(ticketId), cancellationToken);
        return item is null ? (null, 0) : (FlowRecordCodec.Decode<TicketRecord>(item.Value), item.Version);
    }

    public async ValueTask<bool> TryWriteTicketAsync(TicketRecord record, long expectedVersion, CancellationToken cancellationToken)
    {
        var expiresAt = timeProvider.GetUtcNow() + options.Value.TicketRetention;
        return await store.TryWriteAsync(MatchStoreKeys.Ticket(record.TicketId), FlowRecordCodec.Encode(record), expectedVersion, expiresAt, cancellationToken) is not null;
    }

    /// <summary>
    /// Applies <paramref name="change"/> (null: nothing to change) to the ticket with a conditional write, re-reading on
    /// a conflict. Returns the ticket as stored afterwards and whether it changed; (null, false) when there is none.
    /// </summary>
    public async ValueTask<(TicketRecord? Ticket, bool Changed)> MutateTicketAsync(string ticketId, Func<TicketRecord, TicketRecord?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (ticket, version) = await GetTicketAsync(ticketId, cancellationToken);
            if (ticket is null)
            {
                return (null, false);
            }

            var changed = change(ticket);
            if (changed is null)
            {
                return (ticket, false);
            }

            if (await TryWriteTicketAsync(changed, version, cancellationToken))
            {
                return (changed, true);
            }

            ThrowWhenExhausted(attempt, "ticket " + ticketId);
        }
    }

    /// <summary>Read-modify-write of a player record (null from <paramref name="change"/>: leave it); true when it was written.</summary>
    public async ValueTask<bool> MutatePlayerAsync(string accountId, Func<PlayerRecord, PlayerRecord?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (record, version) = await GetPlayerAsync(accountId, cancellationToken);
            var changed = change(record);
            if (changed is null)
            {
                return false;
            }

            if (await TryWritePlayerAsync(accountId, changed, version, cancellationToken))
            {
                return true;
            }

            ThrowWhenExhausted(attempt, "player " + accountId);
        }
    }

    public async ValueTask<MatchRecord?> GetMatchAsync(string matchId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(MatchStoreKeys.Match(matchId), cancellationToken);
        return item is null ? null : MatchRecord.Parser.ParseFrom(item.Value.Span);
    }

    public void ThrowWhenExhausted(int attempt, string what)
    {
        if (attempt >= options.Value.MaxUpdateAttempts)
        {
            throw new MatchStoreConflictException($"Gave up updating {what} after {attempt} conflicting writes.");
        }
    }
}

/// <summary>Concurrent writers kept winning; the message is left for redelivery.</summary>
public sealed class MatchStoreConflictException(string message) : Exception(message);
