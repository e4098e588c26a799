using MetaServer.Storage;

namespace MetaServer.Matches.Storage;

/// <summary>
/// The matches service's own <see cref="IItemStore"/> (its table or file), keyed by <see cref="MatchStoreKeys"/>. The
/// implementations are the shared item stores: in memory, SQLite (embedded default) and DynamoDB, which pass one contract suite.
/// </summary>
public interface IMatchStore : IItemStore;

/// <summary>The key layout of the matches store, in one place.</summary>
public static class MatchStoreKeys
{
    /// <summary>A player's rating (<c>RatingRecord</c>).</summary>
    public static string Rating(string accountId) => "rating#" + accountId;

    /// <summary>A match (<c>MatchRecord</c>).</summary>
    public static string Match(string matchId) => "match#" + matchId;

    /// <summary>A player's matchmaking state: the current ticket or match (owned by the player flow).</summary>
    public static string Player(string accountId) => "player#" + accountId;

    /// <summary>A matchmaking ticket (owned by the player flow).</summary>
    public static string Ticket(string ticketId) => "ticket#" + ticketId;
}
