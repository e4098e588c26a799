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

    /// <summary>
    /// Shard <paramref name="shard"/> of the open-match index bucket starting at <paramref name="bucketStartUnixMs"/>:
    /// ids and deadlines of matches handed to the game servers that may still need abandoning (owned by the abandon sweeper).
    /// </summary>
    public static string OpenMatches(long bucketStartUnixMs, int shard) =>
        "open-matches#" + bucketStartUnixMs.ToString(System.Globalization.CultureInfo.InvariantCulture) + "#" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Start of the oldest open-match bucket not yet closed by the abandon sweeper.</summary>
    public const string OpenMatchesCursor = "open-matches-cursor";
}
