using Google.Protobuf;
using MetaServer.GameConfig;
using MetaServer.Hosting;
using MetaServer.Matches.Accounts;
using MetaServer.Matches.Service;
using MetaServer.Matches.Storage;
using MetaServer.Matchmaking;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Flow;

/// <summary>Records matchmaker calls; can be told to refuse or fail the next start.</summary>
internal sealed class RecordingMatchmaker : IMatchmaker
{
    public List<MatchmakingTicketRequest> Started { get; } = [];

    public List<string> Stopped { get; } = [];

    public List<(string TicketId, IReadOnlyList<string> Players, bool Accept)> Answers { get; } = [];

    public Exception? FailNextStart { get; set; }

    public Task StartMatchmakingAsync(MatchmakingTicketRequest request, CancellationToken cancellationToken = default)
    {
        if (FailNextStart is { } failure)
        {
            FailNextStart = null;
            throw failure;
        }

        if (Started.Exists(s => s.TicketId == request.TicketId))
        {
            throw new MatchmakerException(MatchmakerErrorCode.InvalidRequest, "duplicate ticket id");
        }

        Started.Add(request);
        return Task.CompletedTask;
    }

    public Task StopMatchmakingAsync(string ticketId, CancellationToken cancellationToken = default)
    {
        Stopped.Add(ticketId);
        return Task.CompletedTask;
    }

    public Task AcceptMatchAsync(string ticketId, IReadOnlyList<string> playerIds, bool accept, CancellationToken cancellationToken = default)
    {
        Answers.Add((ticketId, playerIds, accept));
        return Task.CompletedTask;
    }
}

/// <summary>Account snapshots by id (nickname = "nick-&lt;id&gt;", level 7, a fixed loadout).</summary>
internal sealed class FakeAccountReader : IMatchAccountReader
{
    public Task<IReadOnlyDictionary<string, AccountSnapshot>> GetSnapshotsAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, AccountSnapshot>>(accountIds.ToDictionary(
            id => id,
            id => new AccountSnapshot { AccountId = id, Nickname = "nick-" + id, Level = 7, Loadout = new MetaServer.Protocol.V1.Loadout { Hero = "hero-of-" + id } },
            StringComparer.Ordinal));
}

/// <summary>The matches service as registered by <c>AddMatchesService</c>, over in-memory parts and a manual clock.</summary>
internal sealed class FlowHarness : IDisposable
{
    public const string ReplyQueue = "t1-reply-test";

    private readonly ServiceProvider _provider;

    /// <param name="configure">Changes to the configuration.</param>
    /// <param name="storeFactory">The match store on the harness clock; default an <see cref="InMemoryMatchStore"/>.</param>
    public FlowHarness(Action<Dictionary<string, string?>>? configure = null, Func<ManualTimeProvider, IMatchStore>? storeFactory = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MetaServer:DeploymentVersion"] = "t1",
            ["MetaServer:Matchmaking:Configurations:tdm:RuleSetPath"] = Path.Combine(AppContext.BaseDirectory, "RuleSets", "team-5v5-skill.json"),
            ["MetaServer:Matchmaking:Configurations:tdm:RequestTimeoutSeconds"] = "60",
            ["MetaServer:Matchmaking:Configurations:tdm:GameProperties:difficulty"] = "normal",
            ["MetaServer:Matches:GameModes:team-deathmatch:Configuration"] = "tdm",
            ["MetaServer:Matches:GameModes:team-deathmatch:Maps:0"] = "harbor",
            ["MetaServer:Matches:GameModes:team-deathmatch:Maps:1"] = "canyon",
            ["MetaServer:Matches:MaxMatchDuration"] = "00:30:00",
        };
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        Transport = new EmbeddedTransport(Clock);
        Store = storeFactory?.Invoke(Clock) ?? new InMemoryMatchStore(Clock);
        Sessions = new EmbeddedSessionRegistry(Clock);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<IMessageTransport>(Transport);
        services.AddSingleton(Queues);
        services.AddSingleton<IMatchStore>(Store);
        services.AddSingleton<IMatchmaker>(Matchmaker);
        services.AddSingleton<ISessionRegistry>(Sessions);
        services.AddSingleton<IMatchAccountReader>(new FakeAccountReader());
        services.AddSingleton(Config);
        services.AddOptions<MetaServerOptions>().Bind(configuration.GetSection(MetaServerOptions.SectionName));
        services.AddMatchesService(configuration);
        _provider = services.BuildServiceProvider();
        Handlers = _provider.GetServices<IMessageHandler>().ToDictionary(h => h.MessageType, StringComparer.Ordinal);
        Events = _provider.GetRequiredService<IMatchmakingEventHandler>();
    }

    public static GameConfig.GameConfig Config { get; } = GameConfigLoader.LoadBundled().GetConfigOrThrow();

    public ManualTimeProvider Clock { get; } = new();

    public EmbeddedTransport Transport { get; }

    public IMatchStore Store { get; }

    public EmbeddedSessionRegistry Sessions { get; }

    public RecordingMatchmaker Matchmaker { get; } = new();

    public QueueNames Queues { get; } = new("t1");

    public IReadOnlyDictionary<string, IMessageHandler> Handlers { get; }

    public IMatchmakingEventHandler Events { get; }

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public void Dispose() => _provider.Dispose();

    /// <summary>Registers a live session for the player whose pushes go to <c>push-&lt;player&gt;</c>.</summary>
    public async Task OnlineAsync(string playerId, string sessionId = "s1") =>
        await Sessions.RegisterAsync(new SessionLocation(playerId, playerId + "-" + sessionId, "fe", PushQueue(playerId)), TimeSpan.FromHours(10));

    public static string PushQueue(string playerId) => "push-" + playerId;

    public async Task<IReadOnlyList<OutgoingMessage>> SendAsync(string messageType, IMessage payload, string? playerId = null)
    {
        var envelope = new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = "corr",
            ReplyTo = ReplyQueue,
            PlayerId = playerId,
            SessionId = "s",
            DeploymentVersion = "t1",
            SentAt = Clock.GetUtcNow(),
            Payload = payload.ToByteArray(),
        };
        return await Handlers[messageType].HandleAsync(new IncomingMessage(envelope, Queues.ForMessageType(messageType), 1), CancellationToken.None);
    }

    public static Envelope ReplyOf(IReadOnlyList<OutgoingMessage> outgoing)
    {
        var reply = Assert.Single(outgoing, o => o.QueueName == ReplyQueue);
        Assert.Equal(MessageTypes.FrontendClientReply, reply.Envelope.MessageType);
        return ClientReply.Parser.ParseFrom(reply.Envelope.Payload.Span).Envelope;
    }

    public static List<(string Player, MatchmakingStatus Status)> PushesOf(IReadOnlyList<OutgoingMessage> outgoing) =>
    [
        .. outgoing.Where(o => o.Envelope.MessageType == PlayerEventPublisher.ClientEventMessageType)
            .Select(o => (o.Envelope.PlayerId!, Envelope.Parser.ParseFrom(o.Envelope.Payload.Span).MatchmakingUpdate.Status)),
    ];

    public async Task<Envelope> StartAsync(string playerId, string clientRequestId = "req-1", string gameMode = "team-deathmatch") =>
        ReplyOf(await SendAsync(MessageTypes.MatchesStartMatchmaking, new StartMatchmakingRequest { ClientRequestId = clientRequestId, GameMode = gameMode }, playerId));

    public MatchmakingEvent Event(MatchmakingEventType type, string eventId, params (string TicketId, string[] Players)[] tickets) => new()
    {
        Type = type,
        EventId = eventId,
        Time = Clock.GetUtcNow(),
        Resources = ["arn:tdm"],
        Tickets = [.. tickets.Select(t => new MatchmakingEventTicket { TicketId = t.TicketId, Players = [.. t.Players.Select(p => new MatchmakingEventPlayer { PlayerId = p })] })],
    };

    public async Task<MatchRecord?> MatchAsync(string matchId)
    {
        var item = await Store.GetAsync(MatchStoreKeys.Match(matchId));
        return item is null ? null : MatchRecord.Parser.ParseFrom(item.Value.Span);
    }

    public async Task<List<MessageEnvelope>> DrainAsync(string queue)
    {
        var all = new List<MessageEnvelope>();
        while (true)
        {
            var batch = await Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10 });
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch.Select(m => EnvelopeCodec.Decode(m.Body)));
        }
    }

    public IOptions<MatchesOptions> Options => Get<IOptions<MatchesOptions>>();
}
