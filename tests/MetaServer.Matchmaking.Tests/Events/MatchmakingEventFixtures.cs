using System.Text.Json;
using MetaServer.Matchmaking.Events;

namespace MetaServer.Matchmaking.Tests.Events;

/// <summary>
/// FlexMatch events shaped like the examples of the "FlexMatch matchmaking events" reference (written for these
/// tests), and the SNS notification envelope that carries them to an SQS queue.
/// </summary>
internal static class MatchmakingEventFixtures
{
    public const string ConfigurationArn = "arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1";

    public const string Searching = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a01","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:00:01.250Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"tickets":[{"ticketId":"ticket-a","startTime":"2026-11-22T07:00:00.900Z","players":[{"playerId":"player-a"}]}],
                   "estimatedWaitMillis":"NOT_AVAILABLE","type":"MatchmakingSearching",
                   "gameSessionInfo":{"players":[{"playerId":"player-a"}]}}}
        """;

    public const string PotentialMatchCreated = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a02","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:00:09.000Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"tickets":[
                     {"ticketId":"ticket-a","startTime":"2026-11-22T07:00:00.900Z","players":[{"playerId":"player-a","team":"red"}]},
                     {"ticketId":"ticket-b","startTime":"2026-11-22T07:00:05.100Z","players":[{"playerId":"player-b","team":"blue"}]}],
                   "acceptanceTimeout":30,
                   "ruleEvaluationMetrics":[{"ruleName":"SkillDistance","passedCount":3,"failedCount":1},{"ruleName":"Latency","passedCount":4,"failedCount":0}],
                   "acceptanceRequired":true,"type":"PotentialMatchCreated",
                   "gameSessionInfo":{"players":[{"playerId":"player-a","team":"red"},{"playerId":"player-b","team":"blue"}]},
                   "matchId":"9d7c7bb0-6f6a-4f49-8a8b-53c1b1d3c001"}}
        """;

    public const string AcceptMatch = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a03","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:00:12.000Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"tickets":[
                     {"ticketId":"ticket-a","startTime":"2026-11-22T07:00:00.900Z","players":[{"playerId":"player-a","team":"red","accepted":true}]},
                     {"ticketId":"ticket-b","startTime":"2026-11-22T07:00:05.100Z","players":[{"playerId":"player-b","team":"blue"}]}],
                   "type":"AcceptMatch",
                   "gameSessionInfo":{"players":[{"playerId":"player-a","team":"red"},{"playerId":"player-b","team":"blue"}]},
                   "matchId":"9d7c7bb0-6f6a-4f49-8a8b-53c1b1d3c001"}}
        """;

    public const string AcceptMatchCompleted = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a04","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:00:15.000Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"tickets":[
                     {"ticketId":"ticket-a","startTime":"2026-11-22T07:00:00.900Z","players":[{"playerId":"player-a","team":"red"}]},
                     {"ticketId":"ticket-b","startTime":"2026-11-22T07:00:05.100Z","players":[{"playerId":"player-b","team":"blue"}]}],
                   "acceptance":"Accepted","type":"AcceptMatchCompleted",
                   "gameSessionInfo":{"players":[{"playerId":"player-a","team":"red"},{"playerId":"player-b","team":"blue"}]},
                   "matchId":"9d7c7bb0-6f6a-4f49-8a8b-53c1b1d3c001"}}
        """;

    public const string Succeeded = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a05","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:00:20.500Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"tickets":[
                     {"ticketId":"ticket-a","startTime":"2026-11-22T07:00:00.900Z","players":[{"playerId":"player-a","playerSessionId":"psess-0a1b2c3d-0000-4000-8000-00000000000a","team":"red"}]},
                     {"ticketId":"ticket-b","startTime":"2026-11-22T07:00:05.100Z","players":[{"playerId":"player-b","playerSessionId":"psess-0a1b2c3d-0000-4000-8000-00000000000b","team":"blue"}]}],
                   "type":"MatchmakingSucceeded",
                   "gameSessionInfo":{"gameSessionArn":"arn:aws:gamelift:us-west-2:123456789012:gamesession/fleet-1234/gsess-5678",
                     "ipAddress":"198.51.100.7","port":7777,"dnsName":"ec2-198-51-100-7.us-west-2.compute.amazonaws.com",
                     "players":[{"playerId":"player-a","playerSessionId":"psess-0a1b2c3d-0000-4000-8000-00000000000a","team":"red"},
                                {"playerId":"player-b","playerSessionId":"psess-0a1b2c3d-0000-4000-8000-00000000000b","team":"blue"}]},
                   "matchId":"9d7c7bb0-6f6a-4f49-8a8b-53c1b1d3c001"}}
        """;

    public const string TimedOut = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a06","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:02:00.000Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"reason":"TimedOut",
                   "tickets":[{"ticketId":"ticket-c","startTime":"2026-11-22T07:00:00.000Z","players":[{"playerId":"player-c"}]}],
                   "ruleEvaluationMetrics":[{"ruleName":"SkillDistance","passedCount":0,"failedCount":12}],
                   "type":"MatchmakingTimedOut","message":"Removed from matchmaking due to timing out.",
                   "gameSessionInfo":{"players":[{"playerId":"player-c"}]}}}
        """;

    public const string Cancelled = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a07","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:00:30.000Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"reason":"Cancelled",
                   "tickets":[{"ticketId":"ticket-d","startTime":"2026-11-22T07:00:10.000Z","players":[{"playerId":"player-d"},{"playerId":"player-e"}]}],
                   "ruleEvaluationMetrics":[],
                   "type":"MatchmakingCancelled","message":"Cancelled by request.",
                   "gameSessionInfo":{"players":[{"playerId":"player-d"},{"playerId":"player-e"}]}}}
        """;

    public const string Failed = """
        {"version":"0","id":"4f3b7f52-0c3f-4a8e-9d1e-2b7c9a0e1a08","detail-type":"GameLift Matchmaking Event","source":"aws.gamelift",
         "account":"123456789012","time":"2026-11-22T07:00:40.000Z","region":"us-west-2",
         "resources":["arn:aws:gamelift:us-west-2:123456789012:matchmakingconfiguration/ranked-1v1"],
         "detail":{"tickets":[{"ticketId":"ticket-f","startTime":"2026-11-22T07:00:20.000Z","players":[{"playerId":"player-f","team":"red"}]}],
                   "customEventData":"season-12",
                   "type":"MatchmakingFailed","reason":"UNEXPECTED_ERROR",
                   "message":"An unexpected error was encountered during match placing.",
                   "gameSessionInfo":{"players":[{"playerId":"player-f","team":"red"}]},
                   "matchId":"1b2c3d4e-0000-4000-8000-0000000000ff"}}
        """;

    /// <summary>The event wrapped the way SNS delivers it to a subscribed SQS queue (raw message delivery off).</summary>
    public static string InSnsEnvelope(string eventJson, string messageId = "2f0e8d4c-5a1b-5c6d-9e8f-0a1b2c3d4e5f") => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["Type"] = "Notification",
        ["MessageId"] = messageId,
        ["TopicArn"] = "arn:aws:sns:us-west-2:123456789012:flexmatch-events",
        ["Message"] = eventJson,
        ["Timestamp"] = "2026-11-22T07:00:21.000Z",
        ["SignatureVersion"] = "1",
        ["Signature"] = "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        ["SigningCertURL"] = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
        ["UnsubscribeURL"] = "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:flexmatch-events:0000",
    });

    public static IEnumerable<object[]> AllEvents() =>
    [
        [Searching, MatchmakingEventType.MatchmakingSearching],
        [PotentialMatchCreated, MatchmakingEventType.PotentialMatchCreated],
        [AcceptMatch, MatchmakingEventType.AcceptMatch],
        [AcceptMatchCompleted, MatchmakingEventType.AcceptMatchCompleted],
        [Succeeded, MatchmakingEventType.MatchmakingSucceeded],
        [TimedOut, MatchmakingEventType.MatchmakingTimedOut],
        [Cancelled, MatchmakingEventType.MatchmakingCancelled],
        [Failed, MatchmakingEventType.MatchmakingFailed],
    ];

    /// <summary>Replaces one JSON value of an event (for malformed-input tests): a path of property names.</summary>
    public static string With(string eventJson, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(eventJson)!.AsObject();
        edit(node);
        return node.ToJsonString();
    }
}
