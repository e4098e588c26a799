using System.Globalization;
using System.Text.Json;

namespace MetaServer.Matchmaking.Events;

/// <summary>
/// Writes a <see cref="MatchmakingEvent"/> as the JSON GameLift FlexMatch publishes (the CloudWatch-events shape:
/// <c>version</c>, <c>id</c>, <c>detail-type</c>, <c>source</c>, <c>account</c>, <c>time</c>, <c>region</c>,
/// <c>resources</c>, <c>detail</c>). The output reads back through <see cref="MatchmakingEventParser"/> to an equal event
/// (timestamps at millisecond precision, as GameLift writes them).
/// </summary>
public static class MatchmakingEventWriter
{
    /// <summary>The <c>source</c> of every GameLift event.</summary>
    public const string Source = "aws.gamelift";

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The event as UTF-8 JSON (an SQS message body with SNS raw message delivery).</summary>
    public static byte[] WriteUtf8(MatchmakingEvent matchmakingEvent)
    {
        ArgumentNullException.ThrowIfNull(matchmakingEvent);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, matchmakingEvent);
        }

        return buffer.ToArray();
    }

    /// <summary>The event as a JSON string.</summary>
    public static string Write(MatchmakingEvent matchmakingEvent) => System.Text.Encoding.UTF8.GetString(WriteUtf8(matchmakingEvent));

    private static void Write(Utf8JsonWriter writer, MatchmakingEvent e)
    {
        writer.WriteStartObject();
        writer.WriteString("version", "0");
        writer.WriteString("id", e.EventId);
        writer.WriteString("detail-type", MatchmakingEvent.DetailType);
        writer.WriteString("source", Source);
        WriteOptional(writer, "account", e.Account);
        writer.WriteString("time", FormatTime(e.Time));
        WriteOptional(writer, "region", e.Region);
        writer.WriteStartArray("resources");
        foreach (var resource in e.Resources)
        {
            writer.WriteStringValue(resource);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("detail");
        writer.WriteString("type", e.Type.ToString());
        writer.WriteStartArray("tickets");
        foreach (var ticket in e.Tickets)
        {
            writer.WriteStartObject();
            writer.WriteString("ticketId", ticket.TicketId);
            if (ticket.StartTime is { } start)
            {
                writer.WriteString("startTime", FormatTime(start));
            }

            WritePlayers(writer, ticket.Players);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (e.EstimatedWaitMillis is { } wait)
        {
            writer.WriteNumber("estimatedWaitMillis", wait);
        }
        else if (e.Type == MatchmakingEventType.MatchmakingSearching)
        {
            writer.WriteString("estimatedWaitMillis", "NOT_AVAILABLE");
        }

        if (e.AcceptanceTimeout is { } timeout)
        {
            writer.WriteNumber("acceptanceTimeout", timeout);
        }

        if (e.AcceptanceRequired is { } required)
        {
            writer.WriteBoolean("acceptanceRequired", required);
        }

        if (e.Acceptance is { } acceptance)
        {
            writer.WriteString("acceptance", acceptance.ToString());
        }

        if (e.RuleEvaluationMetrics.Count > 0 || e.Type is MatchmakingEventType.PotentialMatchCreated
                or MatchmakingEventType.MatchmakingTimedOut or MatchmakingEventType.MatchmakingCancelled)
        {
            writer.WriteStartArray("ruleEvaluationMetrics");
            foreach (var metric in e.RuleEvaluationMetrics)
            {
                writer.WriteStartObject();
                writer.WriteString("ruleName", metric.RuleName);
                writer.WriteNumber("passedCount", metric.PassedCount);
                writer.WriteNumber("failedCount", metric.FailedCount);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        WriteOptional(writer, "reason", e.Reason);
        WriteOptional(writer, "message", e.Message);
        WriteOptional(writer, "customEventData", e.CustomEventData);
        if (e.GameSessionInfo is { } session)
        {
            writer.WriteStartObject("gameSessionInfo");
            WriteOptional(writer, "gameSessionArn", session.GameSessionArn);
            WriteOptional(writer, "ipAddress", session.IpAddress);
            if (session.Port is { } port)
            {
                writer.WriteNumber("port", port);
            }

            WriteOptional(writer, "dnsName", session.DnsName);
            WritePlayers(writer, session.Players);
            writer.WriteEndObject();
        }

        WriteOptional(writer, "matchId", e.MatchId);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WritePlayers(Utf8JsonWriter writer, IReadOnlyList<MatchmakingEventPlayer> players)
    {
        writer.WriteStartArray("players");
        foreach (var player in players)
        {
            writer.WriteStartObject();
            writer.WriteString("playerId", player.PlayerId);
            WriteOptional(writer, "playerSessionId", player.PlayerSessionId);
            WriteOptional(writer, "team", player.Team);
            if (player.Accepted is { } accepted)
            {
                writer.WriteBoolean("accepted", accepted);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
}
