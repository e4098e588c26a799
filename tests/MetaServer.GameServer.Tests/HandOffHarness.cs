using Google.Protobuf;
using MetaServer.GameServer.Sdk;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.GameServer.Tests;

/// <summary>Plays the matches service's side of the hand-off on a transport: placement, per-match queue, results queue.</summary>
internal sealed class HandOffHarness
{
    public const string DeploymentVersion = "t1";

    public HandOffHarness(IMessageTransport transport, TimeProvider time)
    {
        Transport = transport;
        Time = time;
        Names = new QueueNames(DeploymentVersion);
        ResultsQueue = Names.ForMessageType(MessageTypes.MatchesGameServerReport);
        PlacementQueue = Names.ForMessageType(MessageTypes.GameServerPlacement);
    }

    public IMessageTransport Transport { get; }

    public TimeProvider Time { get; }

    public QueueNames Names { get; }

    public string ResultsQueue { get; }

    public string PlacementQueue { get; }

    public GameServerClient NewClient(string id = "gs-1", TimeSpan? matchTimeout = null) => new(
        Transport,
        new GameServerClientOptions
        {
            DeploymentVersion = DeploymentVersion,
            GameServerId = id,
            GameServerAddress = "127.0.0.1:7777",
            PlacementWaitTime = TimeSpan.Zero,
            MatchMessageTimeout = matchTimeout ?? TimeSpan.FromSeconds(10),
        },
        Time,
        NullLogger<GameServerClient>.Instance);

    public async Task InitializeAsync()
    {
        await NewClient().EnsurePlacementQueueAsync(CancellationToken.None);
        await Transport.CreateQueueAsync(ResultsQueue, new QueueSettings());
    }

    /// <summary>A two-team match: alice and a bot against bob and carol.</summary>
    public GameServerMatch TeamMatch(string matchId, string gameMode = "team-deathmatch")
    {
        var match = new GameServerMatch
        {
            MatchId = matchId,
            GameMode = gameMode,
            Map = "harbor",
            MatchmakingConfiguration = "tdm-config",
            ResultsQueue = ResultsQueue,
            DeploymentVersion = DeploymentVersion,
            CreatedAtUnixMs = Time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        match.Teams.Add(Team("red", Player("alice"), Bot("bot-red-1")));
        match.Teams.Add(Team("blue", Player("bob"), Player("carol")));
        return match;
    }

    /// <summary>A free-for-all match: one player per team.</summary>
    public GameServerMatch FreeForAllMatch(string matchId, int teams)
    {
        var match = new GameServerMatch { MatchId = matchId, GameMode = "free-for-all", ResultsQueue = ResultsQueue };
        for (var i = 0; i < teams; i++)
        {
            match.Teams.Add(Team($"team-{i}", i % 2 == 0 ? Player($"p{i}") : Bot($"bot-{i}")));
        }

        return match;
    }

    public static MatchTeam Team(string name, params MatchParticipant[] players)
    {
        var team = new MatchTeam { Name = name };
        team.Players.Add(players);
        return team;
    }

    public static MatchParticipant Player(string id) => new() { PlayerId = id, Nickname = id, Level = 3, Skill = 1200, TicketId = "ticket-" + id };

    public static MatchParticipant Bot(string id) => new() { PlayerId = id, Bot = true, Nickname = id };

    /// <summary>What the matches service does on success: the per-match queue with the match message, then the placement.</summary>
    public async Task HandOffAsync(GameServerMatch match)
    {
        var matchQueue = Names.ForMatch(match.MatchId);
        await Transport.CreateQueueAsync(matchQueue, new QueueSettings());
        await SendEnvelopeAsync(matchQueue, MessageTypes.GameServerMatch, match.MatchId + ":match", match);
        await SendPlacementAsync(match.MatchId, match.GameMode);
    }

    public Task SendPlacementAsync(string matchId, string gameMode = "team-deathmatch") =>
        SendEnvelopeAsync(PlacementQueue, MessageTypes.GameServerPlacement, matchId + ":placement", new GameServerPlacement { MatchId = matchId, MatchQueue = Names.ForMatch(matchId), GameMode = gameMode });

    public async Task SendEnvelopeAsync(string queue, string messageType, string messageId, IMessage payload)
    {
        var envelope = new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = messageId,
            DeploymentVersion = DeploymentVersion,
            SentAt = Time.GetUtcNow(),
            Payload = payload.ToByteArray(),
        };
        await Transport.SendAsync(queue, EnvelopeCodec.Encode(envelope));
    }

    /// <summary>Waits (long poll, bounded) for the next report on the results queue and deletes it.</summary>
    public async Task<(MessageEnvelope Envelope, GameServerReport Report)> ReadReportAsync(string what)
    {
        var message = await ReceiveOneAsync(ResultsQueue).WithTimeout(what);
        var envelope = EnvelopeCodec.Decode(message.Body);
        return (envelope, GameServerReport.Parser.ParseFrom(envelope.Payload.Span));
    }

    private async Task<ReceivedMessage> ReceiveOneAsync(string queue)
    {
        while (true)
        {
            var received = await Transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = TransportLimits.MaxWaitTime });
            if (received.Count > 0)
            {
                await Transport.DeleteAsync(queue, received[0].ReceiptHandle);
                return received[0];
            }
        }
    }
}
