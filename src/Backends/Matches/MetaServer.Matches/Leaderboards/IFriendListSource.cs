namespace MetaServer.Matches.Leaderboards;

/// <summary>
/// Where the FRIENDS leaderboard view gets a player's friends. The friends service implements it; until then
/// <see cref="NoFriendListSource"/> is registered and the FRIENDS view answers UNAVAILABLE.
/// </summary>
public interface IFriendListSource
{
    /// <summary>Most friends the leaderboard looks up for one request; a longer list is cut to this many.</summary>
    public const int MaxFriends = 200;

    /// <summary>
    /// The player's friends' account ids (the player not included), or null when no friend list is available at all
    /// (no friends service): the view then says so instead of pretending the player has no friends.
    /// </summary>
    ValueTask<IReadOnlyList<string>?> GetFriendIdsAsync(string accountId, CancellationToken cancellationToken);
}

/// <summary>
/// The <see cref="IFriendListSource"/> registered until a friends service exists: it has no friend lists and says
/// so (null), so the FRIENDS view answers UNAVAILABLE rather than showing invented or empty data.
/// </summary>
public sealed class NoFriendListSource : IFriendListSource
{
    public ValueTask<IReadOnlyList<string>?> GetFriendIdsAsync(string accountId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>?>(null);
}
