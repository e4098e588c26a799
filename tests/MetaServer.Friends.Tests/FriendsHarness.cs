using System.Collections.Concurrent;
using System.Collections.Immutable;
using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Storage;
using MetaServer.Friends.Storage;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Friends.Tests;

/// <summary>Accounts by id for the friends tests (only the reads the friends service makes).</summary>
internal sealed class FakeAccountStore : IAccountStore
{
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);

    private int _manyReads;

    public int ManyReads => Volatile.Read(ref _manyReads);

    public void Add(string accountId, string nickname) => _accounts[accountId] = new Account
    {
        AccountId = accountId,
        Revision = 1,
        SchemaVersion = 1,
        Nickname = nickname,
        CreatedAt = DateTimeOffset.UnixEpoch,
        DeviceIds = ImmutableArray<string>.Empty,
    };

    public Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken) => Task.FromResult(_accounts.GetValueOrDefault(accountId));

    public Task<IReadOnlyDictionary<string, Account>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _manyReads);
        IReadOnlyDictionary<string, Account> found = accountIds.Distinct(StringComparer.Ordinal)
            .Where(_accounts.ContainsKey)
            .ToDictionary(id => id, id => _accounts[id], StringComparer.Ordinal);
        return Task.FromResult(found);
    }

    public Task<Account?> FindByDeviceAsync(string deviceId, CancellationToken cancellationToken) => throw Unused();

    public Task<DeviceAccountResult> CreateForDeviceAsync(string deviceId, Account newAccount, CancellationToken cancellationToken) => throw Unused();

    public Task<AccountUpdateResult> TryUpdateAsync(Account account, long expectedRevision, CancellationToken cancellationToken) => throw Unused();

    public Task<Account?> FindByIdentityAsync(LinkedIdentity identity, CancellationToken cancellationToken) => throw Unused();

    public Task<DeviceAccountResult> CreateForIdentityAsync(LinkedIdentity identity, Account newAccount, CancellationToken cancellationToken) => throw Unused();

    public Task<IdentityClaimResult> ClaimIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken) => throw Unused();

    public Task ReleaseIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken) => throw Unused();

    private static NotSupportedException Unused() => new("The friends service only reads accounts by id.");
}

/// <summary>An <see cref="IFriendStore"/> that throws (a simulated crash) on the next write of a chosen key.</summary>
internal sealed class CrashingFriendStore(IFriendStore inner) : IFriendStore
{
    private readonly ConcurrentDictionary<string, int> _crashes = new(StringComparer.Ordinal);

    public void CrashOnNextWriteOf(string key) => _crashes[key] = 1;

    public ValueTask<FriendStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<FriendStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) => inner.GetManyAsync(keys, cancellationToken);

    public ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, CancellationToken cancellationToken = default) =>
        _crashes.TryRemove(key, out _) ? throw new IOException($"simulated crash before writing {key}") : inner.TryWriteAsync(key, value, expectedVersion, cancellationToken);

    public ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default) => inner.TryDeleteAsync(key, expectedVersion, cancellationToken);
}

/// <summary>The friends service as registered by <c>AddFriendsService</c>, over in-memory parts and a manual clock.</summary>
internal sealed class FriendsHarness : IDisposable
{
    public const string ReplyQueue = "t1-reply-test";

    private readonly ServiceProvider _provider;

    public FriendsHarness(Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = new Dictionary<string, string?> { ["MetaServer:DeploymentVersion"] = "t1" };
        configure?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Store = new CrashingFriendStore(new InMemoryFriendStore());
        Sessions = new EmbeddedSessionRegistry(Clock);
        Summaries = new EmbeddedAccountSummaryCache(Clock, TimeSpan.FromHours(1));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Queues);
        services.AddSingleton<IFriendStore>(Store);
        services.AddSingleton<ISessionRegistry>(Sessions);
        services.AddSingleton<IAccountSummaryCache>(Summaries);
        services.AddSingleton<IAccountStore>(Accounts);
        services.AddOptions<MetaServerOptions>().Bind(configuration.GetSection(MetaServerOptions.SectionName));
        services.AddFriendsService(configuration);
        _provider = services.BuildServiceProvider();
        Handlers = _provider.GetServices<IMessageHandler>().ToDictionary(h => h.MessageType, StringComparer.Ordinal);
        foreach (var id in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            Accounts.Add(id, "Nick-" + id);
        }
    }

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public CrashingFriendStore Store { get; }

    public EmbeddedSessionRegistry Sessions { get; }

    public EmbeddedAccountSummaryCache Summaries { get; }

    public FakeAccountStore Accounts { get; } = new();

    public QueueNames Queues { get; } = new("t1");

    public IReadOnlyDictionary<string, IMessageHandler> Handlers { get; }

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    public void Dispose() => _provider.Dispose();

    /// <summary>Registers a live session for the player whose pushes go to <c>push-&lt;player&gt;</c>.</summary>
    public async Task OnlineAsync(string playerId, string sessionId = "s1") =>
        await Sessions.RegisterAsync(new SessionLocation(playerId, playerId + "-" + sessionId, "fe", PushQueue(playerId)), TimeSpan.FromHours(10));

    public static string PushQueue(string playerId) => "push-" + playerId;

    public static IncomingMessage Message(string messageType, IMessage payload, string? playerId, string messageId = "m-1") => new(
        new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = messageId,
            CorrelationId = "corr",
            ReplyTo = ReplyQueue,
            PlayerId = playerId,
            SessionId = "s",
            DeploymentVersion = "t1",
            SentAt = DateTimeOffset.UnixEpoch,
            Payload = payload.ToByteArray(),
        },
        "t1-req-" + messageType.Replace('.', '-'),
        1);

    public async Task<IReadOnlyList<OutgoingMessage>> DeliverAsync(IncomingMessage message) =>
        await Handlers[message.Envelope.MessageType].HandleAsync(message, CancellationToken.None);

    public Task<IReadOnlyList<OutgoingMessage>> SendAsync(string messageType, IMessage payload, string? playerId) => DeliverAsync(Message(messageType, payload, playerId));

    public static Envelope ReplyOf(IReadOnlyList<OutgoingMessage> outgoing)
    {
        var reply = Assert.Single(outgoing, o => o.QueueName == ReplyQueue);
        Assert.Equal(MessageTypes.FrontendClientReply, reply.Envelope.MessageType);
        return ClientReply.Parser.ParseFrom(reply.Envelope.Payload.Span).Envelope;
    }

    public static List<(string Player, Envelope Event)> PushesOf(IReadOnlyList<OutgoingMessage> outgoing) =>
    [
        .. outgoing.Where(o => o.Envelope.MessageType == PlayerEventPublisher.ClientEventMessageType)
            .Select(o =>
            {
                Assert.Equal(PushQueue(o.Envelope.PlayerId!), o.QueueName);
                return (o.Envelope.PlayerId!, Envelope.Parser.ParseFrom(o.Envelope.Payload.Span));
            }),
    ];

    private int _requestCounter;

    public string NextRequestId() => "r-" + Interlocked.Increment(ref _requestCounter);

    public async Task<Envelope> RequestAsync(string from, string to, string? clientRequestId = null) =>
        ReplyOf(await SendAsync(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = clientRequestId ?? NextRequestId(), AccountId = to }, from));

    public async Task<Envelope> AcceptAsync(string who, string from) =>
        ReplyOf(await SendAsync(MessageTypes.FriendsAcceptRequest, new AcceptFriendRequestRequest { ClientRequestId = NextRequestId(), AccountId = from }, who));

    public async Task<Envelope> BlockAsync(string who, string other) =>
        ReplyOf(await SendAsync(MessageTypes.FriendsBlock, new BlockPlayerRequest { ClientRequestId = NextRequestId(), AccountId = other }, who));

    public async Task MakeFriendsAsync(string a, string b)
    {
        Assert.Equal(ResultCode.Ok, (await RequestAsync(a, b)).Result.Code);
        Assert.Equal(ResultCode.Ok, (await AcceptAsync(b, a)).Result.Code);
    }

    public async Task<FriendListResponse> ListAsync(string who)
    {
        var reply = ReplyOf(await SendAsync(MessageTypes.FriendsList, new ListFriendsRequest(), who));
        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        return reply.FriendList;
    }

    public Task<IReadOnlyList<OutgoingMessage>> ActivityAsync(string who, PlayerActivity activity, long atUnixMs) =>
        SendAsync(MessageTypes.FriendsPlayerActivity, new PlayerActivityNotice { AccountId = who, Activity = activity, AtUnixMs = atUnixMs }, who);

    public Task<IReadOnlyList<OutgoingMessage>> SessionAsync(string who, string sessionId, bool online) =>
        SendAsync(MessageTypes.FriendsPlayerSession, new PlayerSessionNotice { AccountId = who, SessionId = sessionId, Online = online, AtUnixMs = Clock.GetUtcNow().ToUnixTimeMilliseconds() }, who);
}
