using System.Globalization;
using System.Text.Json;

namespace MetaServer.Matchmaking.Events;

/// <summary>
/// Reads FlexMatch events from SQS message bodies: an SNS notification (<c>Type: "Notification"</c> with the event
/// JSON in <c>Message</c>) or, with SNS raw message delivery, the event JSON itself.
/// </summary>
public static class MatchmakingEventParser
{
    private const string NotAvailable = "NOT_AVAILABLE";

    private static readonly Dictionary<string, MatchmakingEventType> EventTypes =
        Enum.GetValues<MatchmakingEventType>().ToDictionary(t => t.ToString(), StringComparer.Ordinal);

    /// <exception cref="MatchmakingEventParseException">Malformed JSON, not a GameLift matchmaking event, an unknown event type, or a missing/mistyped field.</exception>
    public static MatchmakingEvent Parse(string sqsMessageBody)
    {
        ArgumentNullException.ThrowIfNull(sqsMessageBody);
        using var outer = ParseJson(sqsMessageBody, "$");
        var root = outer.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new MatchmakingEventParseException("$", "must be a JSON object.");
        }

        if (root.TryGetProperty("Type", out var snsType))
        {
            var type = snsType.ValueKind == JsonValueKind.String ? snsType.GetString() : null;
            if (type != "Notification")
            {
                throw new MatchmakingEventParseException("Type", $"must be 'Notification' in an SNS envelope (was {Describe(snsType)}).");
            }

            var message = RequiredString(root, "Message", "Message");
            var snsMessageId = OptionalString(root, "MessageId", "MessageId");
            using var inner = ParseJson(message, "Message");
            if (inner.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new MatchmakingEventParseException("Message", "must hold a JSON object.");
            }

            return ReadEvent(inner.RootElement, snsMessageId);
        }

        return ReadEvent(root, null);
    }

    private static MatchmakingEvent ReadEvent(JsonElement root, string? snsMessageId)
    {
        var detailType = RequiredString(root, "detail-type", "detail-type");
        if (detailType != MatchmakingEvent.DetailType)
        {
            throw new MatchmakingEventParseException("detail-type", $"must be '{MatchmakingEvent.DetailType}' (was '{detailType}').");
        }

        var detail = RequiredObject(root, "detail", "detail");
        var typeName = RequiredString(detail, "type", "detail.type");
        if (!EventTypes.TryGetValue(typeName, out var type))
        {
            throw new MatchmakingEventParseException("detail.type", $"is not a known FlexMatch event type ('{typeName}').");
        }

        var matchId = OptionalString(detail, "matchId", "detail.matchId");
        if (matchId is null && type is MatchmakingEventType.PotentialMatchCreated or MatchmakingEventType.AcceptMatch
            or MatchmakingEventType.AcceptMatchCompleted or MatchmakingEventType.MatchmakingSucceeded)
        {
            throw new MatchmakingEventParseException("detail.matchId", $"is required in a {type} event.");
        }

        var acceptanceRequired = OptionalBool(detail, "acceptanceRequired", "detail.acceptanceRequired");
        if (acceptanceRequired is null && type == MatchmakingEventType.PotentialMatchCreated)
        {
            throw new MatchmakingEventParseException("detail.acceptanceRequired", "is required in a PotentialMatchCreated event.");
        }

        MatchAcceptanceOutcome? acceptance = null;
        var acceptanceName = OptionalString(detail, "acceptance", "detail.acceptance");
        if (acceptanceName is not null)
        {
            acceptance = acceptanceName switch
            {
                "Accepted" => MatchAcceptanceOutcome.Accepted,
                "Rejected" => MatchAcceptanceOutcome.Rejected,
                "TimedOut" => MatchAcceptanceOutcome.TimedOut,
                _ => throw new MatchmakingEventParseException("detail.acceptance", $"must be Accepted, Rejected or TimedOut (was '{acceptanceName}')."),
            };
        }
        else if (type == MatchmakingEventType.AcceptMatchCompleted)
        {
            throw new MatchmakingEventParseException("detail.acceptance", "is required in an AcceptMatchCompleted event.");
        }

        return new MatchmakingEvent
        {
            Type = type,
            EventId = RequiredString(root, "id", "id"),
            Time = RequiredTime(root, "time", "time"),
            Region = OptionalString(root, "region", "region"),
            Account = OptionalString(root, "account", "account"),
            Resources = OptionalStrings(root, "resources", "resources"),
            Tickets = ReadTickets(detail),
            MatchId = matchId,
            GameSessionInfo = ReadGameSession(detail),
            AcceptanceRequired = acceptanceRequired,
            AcceptanceTimeout = OptionalInt(detail, "acceptanceTimeout", "detail.acceptanceTimeout"),
            Acceptance = acceptance,
            EstimatedWaitMillis = ReadEstimatedWait(detail),
            RuleEvaluationMetrics = ReadMetrics(detail),
            Reason = OptionalString(detail, "reason", "detail.reason"),
            Message = OptionalString(detail, "message", "detail.message"),
            CustomEventData = OptionalString(detail, "customEventData", "detail.customEventData"),
            SnsMessageId = snsMessageId,
        };
    }

    private static List<MatchmakingEventTicket> ReadTickets(JsonElement detail)
    {
        var tickets = RequiredArray(detail, "tickets", "detail.tickets");
        var result = new List<MatchmakingEventTicket>(tickets.GetArrayLength());
        var i = 0;
        foreach (var ticket in tickets.EnumerateArray())
        {
            var path = $"detail.tickets[{i++}]";
            if (ticket.ValueKind != JsonValueKind.Object)
            {
                throw new MatchmakingEventParseException(path, "must be an object.");
            }

            result.Add(new MatchmakingEventTicket
            {
                TicketId = RequiredString(ticket, "ticketId", path + ".ticketId"),
                StartTime = OptionalTime(ticket, "startTime", path + ".startTime"),
                Players = ReadPlayers(RequiredArray(ticket, "players", path + ".players"), path + ".players"),
            });
        }

        return result;
    }

    private static MatchmakingEventGameSession? ReadGameSession(JsonElement detail)
    {
        if (!detail.TryGetProperty("gameSessionInfo", out var info) || info.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        const string path = "detail.gameSessionInfo";
        if (info.ValueKind != JsonValueKind.Object)
        {
            throw new MatchmakingEventParseException(path, $"must be an object (was {Describe(info)}).");
        }

        return new MatchmakingEventGameSession
        {
            GameSessionArn = OptionalString(info, "gameSessionArn", path + ".gameSessionArn"),
            IpAddress = OptionalString(info, "ipAddress", path + ".ipAddress"),
            DnsName = OptionalString(info, "dnsName", path + ".dnsName"),
            Port = OptionalInt(info, "port", path + ".port"),
            Players = info.TryGetProperty("players", out var players) && players.ValueKind != JsonValueKind.Null
                ? ReadPlayers(RequiredArray(info, "players", path + ".players"), path + ".players")
                : [],
        };
    }

    private static List<MatchmakingEventPlayer> ReadPlayers(JsonElement players, string path)
    {
        var result = new List<MatchmakingEventPlayer>(players.GetArrayLength());
        var i = 0;
        foreach (var player in players.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (player.ValueKind != JsonValueKind.Object)
            {
                throw new MatchmakingEventParseException(at, "must be an object.");
            }

            result.Add(new MatchmakingEventPlayer
            {
                PlayerId = RequiredString(player, "playerId", at + ".playerId"),
                Team = OptionalString(player, "team", at + ".team"),
                PlayerSessionId = OptionalString(player, "playerSessionId", at + ".playerSessionId"),
                Accepted = OptionalBool(player, "accepted", at + ".accepted"),
            });
        }

        return result;
    }

    private static List<RuleEvaluationMetric> ReadMetrics(JsonElement detail)
    {
        if (!detail.TryGetProperty("ruleEvaluationMetrics", out var metrics) || metrics.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var array = RequiredArray(detail, "ruleEvaluationMetrics", "detail.ruleEvaluationMetrics");
        var result = new List<RuleEvaluationMetric>(array.GetArrayLength());
        var i = 0;
        foreach (var metric in array.EnumerateArray())
        {
            var at = $"detail.ruleEvaluationMetrics[{i++}]";
            if (metric.ValueKind != JsonValueKind.Object)
            {
                throw new MatchmakingEventParseException(at, "must be an object.");
            }

            result.Add(new RuleEvaluationMetric
            {
                RuleName = RequiredString(metric, "ruleName", at + ".ruleName"),
                PassedCount = OptionalInt(metric, "passedCount", at + ".passedCount") ?? 0,
                FailedCount = OptionalInt(metric, "failedCount", at + ".failedCount") ?? 0,
            });
        }

        return result;
    }

    private static long? ReadEstimatedWait(JsonElement detail)
    {
        const string path = "detail.estimatedWaitMillis";
        if (!detail.TryGetProperty("estimatedWaitMillis", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString();
            if (text == NotAvailable)
            {
                return null;
            }

            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
        }

        throw new MatchmakingEventParseException(path, $"must be a whole number of milliseconds or '{NotAvailable}' (was {Describe(value)}).");
    }

    private static JsonDocument ParseJson(string text, string field)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new MatchmakingEventParseException(field, $"is not valid JSON: {ex.Message}", ex);
        }
    }

    private static string RequiredString(JsonElement parent, string name, string path) =>
        OptionalString(parent, name, path) is { Length: > 0 } value
            ? value
            : throw new MatchmakingEventParseException(path, "is required (a non-empty string).");

    private static string? OptionalString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new MatchmakingEventParseException(path, $"must be a string (was {Describe(value)}).");
    }

    private static IReadOnlyList<string> OptionalStrings(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var array = RequiredArray(parent, name, path);
        var result = new List<string>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result.Add(item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new MatchmakingEventParseException($"{path}[{i}]", $"must be a string (was {Describe(item)})."));
            i++;
        }

        return result;
    }

    private static int? OptionalInt(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw new MatchmakingEventParseException(path, $"must be a whole number (was {Describe(value)}).");
    }

    private static bool? OptionalBool(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new MatchmakingEventParseException(path, $"must be true or false (was {Describe(value)})."),
        };
    }

    private static DateTimeOffset RequiredTime(JsonElement parent, string name, string path) =>
        OptionalTime(parent, name, path) ?? throw new MatchmakingEventParseException(path, "is required (an ISO 8601 timestamp).");

    private static DateTimeOffset? OptionalTime(JsonElement parent, string name, string path)
    {
        var text = OptionalString(parent, name, path);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new MatchmakingEventParseException(path, $"must be an ISO 8601 timestamp (was '{text}').");
    }

    private static JsonElement RequiredObject(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new MatchmakingEventParseException(path, "is required (an object).");

    private static JsonElement RequiredArray(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value
            : throw new MatchmakingEventParseException(path, "is required (an array).");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"'{value.GetString()}'",
        JsonValueKind.Number => value.GetRawText(),
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
