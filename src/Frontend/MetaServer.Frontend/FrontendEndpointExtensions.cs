using System.Net.WebSockets;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace MetaServer.Frontend;

public static class FrontendEndpointExtensions
{
    /// <summary>WebSocket endpoint path.</summary>
    public const string WebSocketPath = "/ws";

    public const string HealthPath = "/healthz";

    public const string ReadyPath = "/readyz";

    /// <summary>
    /// Adds the WebSocket middleware and maps <c>/ws</c> (client sessions), <c>/healthz</c> (200 while the
    /// process runs) and <c>/readyz</c> (200 while taking sessions, 503 while draining).
    /// </summary>
    public static WebApplication MapMetaServerFrontend(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Keep-alive is set per connection on the accept context, so options are only read (and validated) at start.
        app.UseWebSockets();

        app.MapGet(HealthPath, () => Results.Text("ok"));
        app.MapGet(ReadyPath, (SessionRegistry sessions) =>
            sessions.IsDraining ? Results.Text("draining", statusCode: StatusCodes.Status503ServiceUnavailable) : Results.Text("ready"));
        app.Map(WebSocketPath, AcceptAsync);
        return app;
    }

    private static TimeSpan KeepAliveTimeout(FrontendOptions options) =>
        options.KeepAliveTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : options.KeepAliveTimeout;

    private static async Task AcceptAsync(
        HttpContext context,
        SessionRegistry sessions,
        RequestHandler handler,
        SessionPresence presence,
        BackendGateway gateway,
        TimeProvider timeProvider,
        IOptions<FrontendOptions> optionsAccessor,
        ILoggerFactory loggerFactory)
    {
        var options = optionsAccessor.Value;
        var logger = loggerFactory.CreateLogger(typeof(FrontendSession));
        if (!IsOriginAllowed(context.Request.Headers[HeaderNames.Origin], options.AllowedOrigins))
        {
            Log.OriginRefused(logger, context.Request.Headers[HeaderNames.Origin].ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("WebSocket upgrade required", context.RequestAborted);
            return;
        }

        if (sessions.IsDraining)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            DangerousEnableCompression = false,
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = KeepAliveTimeout(options),
        });
        var session = new FrontendSession(socket, options, handler, timeProvider, logger, presence);
        var added = sessions.TryAdd(session);
        if (!added)
        {
            // Draining began between the check and the upgrade: say goodbye at once.
            session.BeginDrain();
        }

        try
        {
            await session.RunAsync(context.RequestAborted);
        }
        finally
        {
            if (added)
            {
                sessions.Remove(session);
            }

            await presence.EndedAsync(session.Id);
            if (session.AccountId is { } accountId)
            {
                // Lets the matches service cancel a ticket that is still searching (ignored if the player reconnected).
                await gateway.NotifyAsync(
                    MessageTypes.MatchesPlayerDisconnected,
                    new PlayerDisconnectedNotice
                    {
                        AccountId = accountId,
                        SessionId = session.Id,
                        DisconnectedAtUnixMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                    },
                    session.Id,
                    accountId,
                    CancellationToken.None);

                // Lets the friends service tell the player's friends (ignored if the player reconnected).
                await FriendsSessionNotices.OfflineAsync(gateway, timeProvider, session.Id, accountId);
            }
        }
    }

    /// <summary>No list allows every origin; a request without an Origin header (not a browser) is allowed.</summary>
    internal static bool IsOriginAllowed(string? origin, IList<string> allowedOrigins)
    {
        if (allowedOrigins.Count == 0 || string.IsNullOrEmpty(origin))
        {
            return true;
        }

        foreach (var allowed in allowedOrigins)
        {
            if (string.Equals(allowed.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
