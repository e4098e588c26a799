using MetaServer.Accounts.Storage;
using MetaServer.Friends.Handlers;
using MetaServer.Friends.Service;
using MetaServer.Friends.Storage;
using MetaServer.Pipelines;
using MetaServer.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends;

public static class FriendsServiceExtensions
{
    /// <summary>
    /// Registers the friends service: the handlers of <c>friends.send-request</c>, <c>friends.accept-request</c>,
    /// <c>friends.decline-request</c>, <c>friends.cancel-request</c>, <c>friends.remove</c>, <c>friends.block</c>,
    /// <c>friends.unblock</c>, <c>friends.list</c>, <c>friends.get-code</c> and the internal notices
    /// <c>friends.player-session</c> and <c>friends.player-activity</c> (as <see cref="IMessageHandler"/>s), the
    /// <see cref="IFriendGraphReader"/> and validated <see cref="FriendsOptions"/> (<c>MetaServer:Friends</c>).
    /// Required from elsewhere: an <see cref="IFriendStore"/> (<c>AddConfiguredFriendStore</c>), an
    /// <see cref="IAccountStore"/>, an <see cref="ISessionRegistry"/> and an <see cref="IAccountSummaryCache"/>
    /// (<c>AddMetaServerStorage</c>) and the core services; a start-up check fails the host when one is missing.
    /// </summary>
    public static IServiceCollection AddFriendsService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<FriendsOptions>()
            .Bind(configuration.GetSection(FriendsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FriendsOptions>, FriendsOptionsValidator>());
        services.AddFriendGraphReader();
        services.TryAddSingleton(sp => new GraphStore(sp.GetRequiredService<IFriendStore>()));
        services.TryAddSingleton<FriendAccounts>();
        services.TryAddSingleton<FriendPresenceReader>();
        services.TryAddSingleton<FriendPushes>();
        services.TryAddSingleton<FriendsFlow>();
        services.TryAddSingleton<FriendCodes>();
        services.TryAddSingleton<FriendListing>();
        services.TryAddSingleton<PresenceNotifier>();
        services.TryAddSingleton<FriendChangeRunner>();
        services.AddSingleton<IMessageHandler, SendFriendRequestHandler>();
        services.AddSingleton<IMessageHandler, AcceptFriendRequestHandler>();
        services.AddSingleton<IMessageHandler, DeclineFriendRequestHandler>();
        services.AddSingleton<IMessageHandler, CancelFriendRequestHandler>();
        services.AddSingleton<IMessageHandler, RemoveFriendHandler>();
        services.AddSingleton<IMessageHandler, BlockPlayerHandler>();
        services.AddSingleton<IMessageHandler, UnblockPlayerHandler>();
        services.AddSingleton<IMessageHandler, ListFriendsHandler>();
        services.AddSingleton<IMessageHandler, GetFriendCodeHandler>();
        services.AddSingleton<IMessageHandler, PlayerSessionHandler>();
        services.AddSingleton<IMessageHandler, PlayerActivityHandler>();
        services.AddHostedService<FriendsStartupCheck>();
        return services;
    }

    /// <summary>
    /// Registers the <see cref="IFriendGraphReader"/> (block and friendship questions) over the registered
    /// <see cref="IFriendStore"/>; for services that only read the friend graph (party, matches leaderboards).
    /// </summary>
    public static IServiceCollection AddFriendGraphReader(this IServiceCollection services)
    {
        services.TryAddSingleton<IFriendGraphReader>(sp => new FriendStoreGraphReader(sp.GetRequiredService<IFriendStore>()));
        return services;
    }
}

/// <summary>Fails the host at start when something the friends service needs is not registered.</summary>
internal sealed class FriendsStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<IFriendStore>()
            ?? throw new InvalidOperationException("No IFriendStore is registered; add one (AddConfiguredFriendStore: SQLite or DynamoDB).");
        _ = services.GetService<IAccountStore>()
            ?? throw new InvalidOperationException("No IAccountStore is registered; the friends service checks that accounts exist and reads their nicknames.");
        _ = services.GetService<ISessionRegistry>()
            ?? throw new InvalidOperationException("No ISessionRegistry is registered (AddMetaServerStorage); the friends service needs it for presence and pushes.");
        _ = services.GetService<IAccountSummaryCache>()
            ?? throw new InvalidOperationException("No IAccountSummaryCache is registered (AddMetaServerStorage).");
        _ = services.GetRequiredService<IOptions<FriendsOptions>>().Value;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
