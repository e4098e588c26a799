using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;

namespace MetaServer.Frontend;

/// <summary>
/// The <c>friends.player-session</c> notices a frontend sends, so the friends service can push presence changes to the
/// player's friends: online once a session is authenticated (and registered), offline when it closes. A lost notice is
/// logged by the gateway; presence in friend lists comes from the session registry either way.
/// </summary>
internal static class FriendsSessionNotices
{
    public static Func<string, string, Task> Online(BackendGateway gateway, TimeProvider timeProvider) =>
        (sessionId, accountId) => SendAsync(gateway, timeProvider, sessionId, accountId, online: true);

    public static Task OfflineAsync(BackendGateway gateway, TimeProvider timeProvider, string sessionId, string accountId) =>
        SendAsync(gateway, timeProvider, sessionId, accountId, online: false);

    private static Task SendAsync(BackendGateway gateway, TimeProvider timeProvider, string sessionId, string accountId, bool online) =>
        gateway.NotifyAsync(
            MessageTypes.FriendsPlayerSession,
            new PlayerSessionNotice { AccountId = accountId, SessionId = sessionId, Online = online, AtUnixMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() },
            sessionId,
            accountId,
            CancellationToken.None);
}
