using System.Text.Json.Nodes;
using MetaServer.Matchmaking.Events;
using static MetaServer.Matchmaking.Tests.Events.MatchmakingEventFixtures;

namespace MetaServer.Matchmaking.Tests.Events;

public sealed class MatchmakingEventParserTests
{
    [Theory]
    [MemberData(nameof(MatchmakingEventFixtures.AllEvents), MemberType = typeof(MatchmakingEventFixtures))]
    public void Parse_EveryEventTypeInSnsEnvelope_ReadsTypeTicketsAndEnvelope(string eventJson, MatchmakingEventType type)
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(eventJson, messageId: "sns-1"));

        Assert.Equal(type, parsed.Type);
        Assert.Equal("sns-1", parsed.SnsMessageId);
        Assert.Equal("us-west-2", parsed.Region);
        Assert.Equal("123456789012", parsed.Account);
        Assert.Equal([ConfigurationArn], parsed.Resources);
        Assert.StartsWith("4f3b7f52-", parsed.EventId, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, parsed.Time.Offset);
        Assert.NotEmpty(parsed.Tickets);
        Assert.All(parsed.Tickets, t => Assert.NotEmpty(t.Players));
    }

    [Theory]
    [MemberData(nameof(MatchmakingEventFixtures.AllEvents), MemberType = typeof(MatchmakingEventFixtures))]
    public void Parse_RawDelivery_EqualsTheEnveloped(string eventJson, MatchmakingEventType type)
    {
        var raw = MatchmakingEventParser.Parse(eventJson);
        var enveloped = MatchmakingEventParser.Parse(InSnsEnvelope(eventJson));

        Assert.Equal(type, raw.Type);
        Assert.Null(raw.SnsMessageId);
        Assert.Equal(raw.Time, enveloped.Time);
        Assert.Equal(raw.Tickets.Select(t => t.TicketId), enveloped.Tickets.Select(t => t.TicketId));
        Assert.Equal(raw.MatchId, enveloped.MatchId);
    }

    [Fact]
    public void Parse_MatchmakingSearching_ReadsTicketAndUnavailableWait()
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(Searching));

        var ticket = Assert.Single(parsed.Tickets);
        Assert.Equal("ticket-a", ticket.TicketId);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 7, 0, 0, 900, TimeSpan.Zero), ticket.StartTime);
        Assert.Equal("player-a", Assert.Single(ticket.Players).PlayerId);
        Assert.Null(parsed.EstimatedWaitMillis);
        Assert.Null(parsed.MatchId);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 7, 0, 1, 250, TimeSpan.Zero), parsed.Time);
    }

    [Fact]
    public void Parse_MatchmakingSearchingWithEstimate_ReadsMilliseconds()
    {
        var parsed = MatchmakingEventParser.Parse(With(Searching, e => e["detail"]!["estimatedWaitMillis"] = 15000));

        Assert.Equal(15000, parsed.EstimatedWaitMillis);
    }

    [Fact]
    public void Parse_PotentialMatchCreated_ReadsAcceptanceTeamsAndMetrics()
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(PotentialMatchCreated));

        Assert.Equal("9d7c7bb0-6f6a-4f49-8a8b-53c1b1d3c001", parsed.MatchId);
        Assert.True(parsed.AcceptanceRequired);
        Assert.Equal(30, parsed.AcceptanceTimeout);
        Assert.Equal(["red", "blue"], parsed.Tickets.Select(t => t.Players.Single().Team!));
        Assert.Equal([("player-a", "red"), ("player-b", "blue")], parsed.GameSessionInfo!.Players.Select(p => (p.PlayerId, p.Team!)));
        Assert.Equal(new RuleEvaluationMetric { RuleName = "SkillDistance", PassedCount = 3, FailedCount = 1 }, parsed.RuleEvaluationMetrics[0]);
        Assert.Equal(2, parsed.RuleEvaluationMetrics.Count);
    }

    [Fact]
    public void Parse_AcceptMatch_ReadsEachPlayersAnswer()
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(AcceptMatch));

        Assert.Equal([true, null], parsed.Tickets.Select(t => t.Players.Single().Accepted));
        Assert.Equal("9d7c7bb0-6f6a-4f49-8a8b-53c1b1d3c001", parsed.MatchId);
    }

    [Theory]
    [InlineData("Accepted", MatchAcceptanceOutcome.Accepted)]
    [InlineData("Rejected", MatchAcceptanceOutcome.Rejected)]
    [InlineData("TimedOut", MatchAcceptanceOutcome.TimedOut)]
    public void Parse_AcceptMatchCompleted_ReadsTheOutcome(string wire, MatchAcceptanceOutcome outcome)
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(With(AcceptMatchCompleted, e => e["detail"]!["acceptance"] = wire)));

        Assert.Equal(outcome, parsed.Acceptance);
    }

    [Fact]
    public void Parse_MatchmakingSucceeded_ReadsConnectionAndPlayerSessions()
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(Succeeded));

        var session = parsed.GameSessionInfo!;
        Assert.Equal("arn:aws:gamelift:us-west-2:123456789012:gamesession/fleet-1234/gsess-5678", session.GameSessionArn);
        Assert.Equal("198.51.100.7", session.IpAddress);
        Assert.Equal(7777, session.Port);
        Assert.Equal("ec2-198-51-100-7.us-west-2.compute.amazonaws.com", session.DnsName);
        Assert.Equal(
            ["psess-0a1b2c3d-0000-4000-8000-00000000000a", "psess-0a1b2c3d-0000-4000-8000-00000000000b"],
            session.Players.Select(p => p.PlayerSessionId!));
        Assert.Equal("psess-0a1b2c3d-0000-4000-8000-00000000000b", parsed.Tickets[1].Players[0].PlayerSessionId);
    }

    [Fact]
    public void Parse_MatchmakingTimedOut_ReadsReasonMessageAndMetrics()
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(TimedOut));

        Assert.Equal("TimedOut", parsed.Reason);
        Assert.Equal("Removed from matchmaking due to timing out.", parsed.Message);
        Assert.Equal(12, Assert.Single(parsed.RuleEvaluationMetrics).FailedCount);
        Assert.Null(parsed.GameSessionInfo!.GameSessionArn);
    }

    [Fact]
    public void Parse_MatchmakingCancelled_ReadsReasonAndAllPlayersOfTheTicket()
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(Cancelled));

        Assert.Equal("Cancelled", parsed.Reason);
        Assert.Equal(["player-d", "player-e"], Assert.Single(parsed.Tickets).Players.Select(p => p.PlayerId));
        Assert.Empty(parsed.RuleEvaluationMetrics);
    }

    [Fact]
    public void Parse_MatchmakingFailed_ReadsReasonMessageAndCustomData()
    {
        var parsed = MatchmakingEventParser.Parse(InSnsEnvelope(Failed));

        Assert.Equal("UNEXPECTED_ERROR", parsed.Reason);
        Assert.Equal("An unexpected error was encountered during match placing.", parsed.Message);
        Assert.Equal("season-12", parsed.CustomEventData);
        Assert.Equal("1b2c3d4e-0000-4000-8000-0000000000ff", parsed.MatchId);
    }

    [Fact]
    public void Parse_UnknownEventType_NamesDetailType()
    {
        var ex = Assert.Throws<MatchmakingEventParseException>(() => MatchmakingEventParser.Parse(InSnsEnvelope(With(Searching, e => e["detail"]!["type"] = "MatchmakingBackfillSucceeded"))));

        Assert.Equal("detail.type", ex.Field);
        Assert.Contains("MatchmakingBackfillSucceeded", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("MatchmakingSearching, AcceptMatch")]
    [InlineData("matchmakingsearching")]
    public void Parse_EventTypeNotExactlyADocumentedName_IsRejected(string type)
    {
        var ex = Assert.Throws<MatchmakingEventParseException>(() => MatchmakingEventParser.Parse(With(Searching, e => e["detail"]!["type"] = type)));

        Assert.Equal("detail.type", ex.Field);
    }

    [Fact]
    public void Parse_NotJson_NamesTheBody()
    {
        var ex = Assert.Throws<MatchmakingEventParseException>(() => MatchmakingEventParser.Parse("not json"));

        Assert.Equal("$", ex.Field);
    }

    [Fact]
    public void Parse_SnsMessageNotJson_NamesMessage()
    {
        var body = new JsonObject { ["Type"] = "Notification", ["MessageId"] = "m", ["Message"] = "{truncated" }.ToJsonString();

        var ex = Assert.Throws<MatchmakingEventParseException>(() => MatchmakingEventParser.Parse(body));

        Assert.Equal("Message", ex.Field);
    }

    [Fact]
    public void Parse_SnsSubscriptionConfirmation_NamesType()
    {
        var body = new JsonObject { ["Type"] = "SubscriptionConfirmation", ["MessageId"] = "m", ["Message"] = "You have chosen to subscribe" }.ToJsonString();

        var ex = Assert.Throws<MatchmakingEventParseException>(() => MatchmakingEventParser.Parse(body));

        Assert.Equal("Type", ex.Field);
        Assert.Contains("SubscriptionConfirmation", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OtherDetailType_NamesDetailType()
    {
        var ex = Assert.Throws<MatchmakingEventParseException>(() => MatchmakingEventParser.Parse(With(Searching, e => e["detail-type"] = "GameLift Queue Placement Event")));

        Assert.Equal("detail-type", ex.Field);
    }

    public static TheoryData<string, string> MalformedEvents => new()
    {
        { With(Searching, e => e.Remove("detail")), "detail" },
        { With(Searching, e => e.Remove("time")), "time" },
        { With(Searching, e => e["time"] = "yesterday"), "time" },
        { With(Searching, e => e.Remove("id")), "id" },
        { With(Searching, e => e["detail"]!.AsObject().Remove("tickets")), "detail.tickets" },
        { With(Searching, e => e["detail"]!["tickets"]![0]!.AsObject().Remove("ticketId")), "detail.tickets[0].ticketId" },
        { With(Searching, e => e["detail"]!["tickets"]![0]!["players"]![0]!["playerId"] = 42), "detail.tickets[0].players[0].playerId" },
        { With(Searching, e => e["detail"]!["estimatedWaitMillis"] = "soon"), "detail.estimatedWaitMillis" },
        { With(PotentialMatchCreated, e => e["detail"]!.AsObject().Remove("matchId")), "detail.matchId" },
        { With(PotentialMatchCreated, e => e["detail"]!.AsObject().Remove("acceptanceRequired")), "detail.acceptanceRequired" },
        { With(PotentialMatchCreated, e => e["detail"]!["acceptanceRequired"] = "yes"), "detail.acceptanceRequired" },
        { With(PotentialMatchCreated, e => e["detail"]!["ruleEvaluationMetrics"]![1]!.AsObject().Remove("ruleName")), "detail.ruleEvaluationMetrics[1].ruleName" },
        { With(AcceptMatchCompleted, e => e["detail"]!.AsObject().Remove("acceptance")), "detail.acceptance" },
        { With(AcceptMatchCompleted, e => e["detail"]!["acceptance"] = "Maybe"), "detail.acceptance" },
        { With(Succeeded, e => e["detail"]!["gameSessionInfo"]!["port"] = "seven"), "detail.gameSessionInfo.port" },
        { With(Succeeded, e => e["detail"]!["gameSessionInfo"] = "placed"), "detail.gameSessionInfo" },
    };

    [Theory]
    [MemberData(nameof(MalformedEvents))]
    public void Parse_MalformedEvent_NamesTheField(string body, string field)
    {
        var ex = Assert.Throws<MatchmakingEventParseException>(() => MatchmakingEventParser.Parse(InSnsEnvelope(body)));

        Assert.Equal(field, ex.Field);
    }
}
