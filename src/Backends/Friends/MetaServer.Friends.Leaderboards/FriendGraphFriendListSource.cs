using MetaServer.Matches.Leaderboards;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MetaServer.Friends.Leaderboards;

/// <summary>The FRIENDS leaderboard view's friend list: the player's friends from the friend graph (one store read).</summary>
public sealed class FriendGraphFriendListSource(IFriendGraphReader graph) : IFriendListSource
{
    public async ValueTask<IReadOnlyList<string>?> GetFriendIdsAsync(string accountId, CancellationToken cancellationToken)
    {
        var ids = await graph.GetFriendIdsAsync(accountId, cancellationToken);
        return ids.Count > IFriendListSource.MaxFriends ? [.. ids.Order(StringComparer.Ordinal).Take(IFriendListSource.MaxFriends)] : ids;
    }
}

public static class FriendsLeaderboardExtensions
{
    /// <summary>
    /// Makes the matches leaderboard's FRIENDS view read the friend graph: registers <see cref="FriendGraphFriendListSource"/>
    /// as the <see cref="IFriendListSource"/>, replacing <see cref="NoFriendListSource"/> whether it was registered
    /// before or after this call. Needs an <c>IFriendStore</c> (e.g. <c>AddConfiguredFriendStore</c>).
    /// </summary>
    public static IServiceCollection AddFriendsLeaderboardSource(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddFriendGraphReader();
        services.Replace(ServiceDescriptor.Singleton<IFriendListSource, FriendGraphFriendListSource>());
        return services;
    }
}
