using System.Text.Json;
using MetaServer.Payments.Verification;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Clawbacks;

/// <summary>
/// The App Store Server Notifications v2 endpoint: <c>POST {"signedPayload": "..."}</c> at
/// <c>MetaServer:Payments:AppStoreNotifications:Path</c>. The payload is verified with the registered
/// <see cref="IAppStoreNotificationVerifier"/>; a REFUND or REVOKE is put on <c>payments.store-refund</c> and answered
/// 200 only after the transport took it (Apple retries anything else). Other notification types: 200, ignored. A body
/// that is not such JSON, or a payload whose signature does not check out: 400. No verifier registered, or the
/// verifier could not reach what it needs: 503.
/// </summary>
public static partial class AppStoreNotificationEndpoint
{
    public static IEndpointConventionBuilder MapAppStoreNotifications(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<PaymentsOptions>>().Value.AppStoreNotifications;
        return endpoints.MapPost(options.Path, (Delegate)((HttpContext context) => HandleAsync(context, options.MaxBodyBytes)));
    }

    internal static async Task<IResult> HandleAsync(HttpContext context, int maxBodyBytes)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AppStoreNotificationEndpoint).FullName!);
        var verifier = services.GetService<IAppStoreNotificationVerifier>();
        if (verifier is null)
        {
            LogNotConfigured(logger);
            return Results.Problem("App Store notifications are not configured on this server.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        string? signedPayload;
        try
        {
            var body = await ReadBodyAsync(context.Request, maxBodyBytes, context.RequestAborted);
            if (body is null)
            {
                return Results.BadRequest("The body is too large.");
            }

            using var document = JsonDocument.Parse(body);
            signedPayload = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("signedPayload", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            signedPayload = null;
        }

        if (string.IsNullOrEmpty(signedPayload))
        {
            LogRejected(logger, "no signedPayload");
            return Results.BadRequest("Expected a JSON object with a signedPayload string.");
        }

        var notification = await verifier.VerifyAsync(signedPayload, context.RequestAborted);
        if (notification.Verdict == VerificationVerdict.StoreUnavailable)
        {
            LogUnavailable(logger, notification.Detail);
            return Results.Problem("The notification can't be checked right now.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (notification.Verdict != VerificationVerdict.Valid)
        {
            LogRejected(logger, $"{notification.Verdict}: {notification.Detail}");
            return Results.BadRequest("The notification did not verify.");
        }

        if (notification.Refund is not { } refund)
        {
            LogIgnored(logger, notification.NotificationType ?? "(none)", notification.NotificationUuid ?? "(none)");
            return Results.Ok();
        }

        await services.GetRequiredService<StoreRefundQueue>().EnqueueAsync(refund, context.RequestAborted);
        LogEnqueued(logger, notification.NotificationType ?? "(none)", notification.NotificationUuid ?? "(none)");
        return Results.Ok();
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: App Store notification refused: no IAppStoreNotificationVerifier is configured")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: App Store notification rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments: App Store notification can't be verified now: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Payments: App Store notification {Type} ({Uuid}) ignored")]
    private static partial void LogIgnored(ILogger logger, string type, string uuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payments: App Store notification {Type} ({Uuid}) queued for clawback")]
    private static partial void LogEnqueued(ILogger logger, string type, string uuid);
}
