using MetaServer.Matchmaking.Events;

namespace MetaServer.Matchmaking.Tests.Events;

public sealed class MatchmakingEventWriterTests
{
    [Theory]
    [MemberData(nameof(MatchmakingEventFixtures.AllEvents), MemberType = typeof(MatchmakingEventFixtures))]
    public void Write_GameLiftFixture_RoundTripsThroughParser(string json, MatchmakingEventType type)
    {
        var parsed = MatchmakingEventParser.Parse(json);

        var written = MatchmakingEventWriter.Write(parsed);
        var reparsed = MatchmakingEventParser.Parse(written);

        Assert.Equal(type, reparsed.Type);
        Assert.Equal(written, MatchmakingEventWriter.Write(reparsed));
        Assert.Equal(parsed.EventId, reparsed.EventId);
        Assert.Equal(parsed.Time, reparsed.Time);
        Assert.Equal(parsed.Resources, reparsed.Resources);
        Assert.Equal(parsed.MatchId, reparsed.MatchId);
        Assert.Equal(parsed.Reason, reparsed.Reason);
        Assert.Equal(parsed.Message, reparsed.Message);
        Assert.Equal(parsed.Acceptance, reparsed.Acceptance);
        Assert.Equal(parsed.AcceptanceRequired, reparsed.AcceptanceRequired);
        Assert.Equal(parsed.AcceptanceTimeout, reparsed.AcceptanceTimeout);
        Assert.Equal(parsed.CustomEventData, reparsed.CustomEventData);
        Assert.Equal(parsed.EstimatedWaitMillis, reparsed.EstimatedWaitMillis);
        Assert.Equal(parsed.RuleEvaluationMetrics, reparsed.RuleEvaluationMetrics);
        Assert.Equal(parsed.Tickets.SelectMany(t => t.Players), reparsed.Tickets.SelectMany(t => t.Players));
        Assert.Equal(parsed.Tickets.Select(t => (t.TicketId, t.StartTime)), reparsed.Tickets.Select(t => (t.TicketId, t.StartTime)));
        Assert.Equal(parsed.GameSessionInfo?.Players, reparsed.GameSessionInfo?.Players);
        Assert.Equal(parsed.GameSessionInfo?.GameSessionArn, reparsed.GameSessionInfo?.GameSessionArn);
        Assert.Equal(parsed.GameSessionInfo?.Port, reparsed.GameSessionInfo?.Port);
    }

    [Fact]
    public void Write_SearchingFixture_HasGameLiftEnvelopeFields()
    {
        var written = MatchmakingEventWriter.Write(MatchmakingEventParser.Parse(MatchmakingEventFixtures.Searching));

        using var document = System.Text.Json.JsonDocument.Parse(written);
        var root = document.RootElement;
        Assert.Equal("0", root.GetProperty("version").GetString());
        Assert.Equal("GameLift Matchmaking Event", root.GetProperty("detail-type").GetString());
        Assert.Equal("aws.gamelift", root.GetProperty("source").GetString());
        Assert.Equal("2026-11-22T07:00:01.250Z", root.GetProperty("time").GetString());
        Assert.Equal("NOT_AVAILABLE", root.GetProperty("detail").GetProperty("estimatedWaitMillis").GetString());
        Assert.Equal("2026-11-22T07:00:00.900Z", root.GetProperty("detail").GetProperty("tickets")[0].GetProperty("startTime").GetString());
    }
}
