using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Handlers;
using MetaServer.Accounts.Identity;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Sqlite;
using MetaServer.Accounts.Storage;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// The accounts handlers on a SQLite store in a temp folder (or a wrapped/other store), with a manual clock and the
/// tests' game config. The production migrations always run; <c>migrations</c> adds test steps before them.
/// </summary>
internal sealed class HandlerHarness : IDisposable
{
    public const string ReplyQueue = "local-reply-fe-test";

    private readonly TempDirectory _directory = new();

    public HandlerHarness(
        IEnumerable<IAccountMigration>? migrations = null,
        Func<IAccountStore, IAccountStore>? wrapStore = null,
        int maxUpdateAttempts = 8,
        IAccountSummaryCache? summaryCache = null,
        int mutationRecordLimit = 64,
        PlayerEventPublisher? events = null,
        IdentityProvidersOptions? providers = null,
        ManualTimeProvider? clock = null)
    {
        Clock = clock ?? new ManualTimeProvider(TestAccounts.Epoch);
        Sqlite = new SqliteAccountStore(Path.Combine(_directory.Path, "accounts.db"), timeProvider: Clock);
        Store = wrapStore?.Invoke(Sqlite) ?? Sqlite;
        IAccountMigration[] chain = [.. migrations ?? [], new StartingEconomyMigration(Config)];
        var migrator = new AccountMigrator(chain);
        var options = Options.Create(new AccountsOptions { MaxUpdateAttempts = maxUpdateAttempts, MutationRecordLimit = mutationRecordLimit, MaxIdentitiesPerAccount = 4 });
        Runner = new AccountMutationRunner(Store, migrator, options, Clock, NullLogger<AccountMutationRunner>.Instance, summaryCache);
        SetNickname = new SetNicknameHandler(Runner, Config, Clock, NullLogger<SetNicknameHandler>.Instance);
        SetLoadout = new SetLoadoutHandler(Runner, Config, Clock, NullLogger<SetLoadoutHandler>.Instance);
        Purchase = new PurchaseHandler(Runner, Config, Clock, NullLogger<PurchaseHandler>.Instance);
        ClaimQuest = new ClaimQuestHandler(Runner, Config, Clock, NullLogger<ClaimQuestHandler>.Instance);
        ClaimDailyReward = new ClaimDailyRewardHandler(Runner, Config, Clock, NullLogger<ClaimDailyRewardHandler>.Instance);
        ApplyMatchResult = new ApplyMatchResultHandler(Runner, Config, Clock, NullLogger<ApplyMatchResultHandler>.Instance, events);
        GrantPurchase = new GrantPurchaseHandler(Runner, Config, Clock, NullLogger<GrantPurchaseHandler>.Instance);
        RevokePurchase = new RevokePurchaseHandler(Runner, Config, Clock, NullLogger<RevokePurchaseHandler>.Instance, events);
        Login = new LoginDeviceHandler(
            Store,
            migrator,
            Config,
            options,
            Clock,
            NullLogger<LoginDeviceHandler>.Instance,
            summaryCache);
        GetAccount = new GetAccountHandler(Store, migrator, Config, Clock, NullLogger<GetAccountHandler>.Instance);
        Verifier = new IdTokenVerifier(Options.Create(providers ?? new IdentityProvidersOptions()), Clock, NullLogger<IdTokenVerifier>.Instance);
        LoginCustom = new LoginCustomHandler(Store, migrator, Config, options, Clock, NullLogger<LoginCustomHandler>.Instance, summaryCache);
        LoginProvider = new LoginProviderHandler(Store, migrator, Config, Verifier, options, Clock, NullLogger<LoginProviderHandler>.Instance, summaryCache);
        Link = new LinkIdentityHandler(Runner, Store, Config, Verifier, options, Clock, NullLogger<LinkIdentityHandler>.Instance);
        Unlink = new UnlinkIdentityHandler(Runner, Store, Config, Clock, NullLogger<UnlinkIdentityHandler>.Instance);
        Ban = new BanAccountHandler(Store, migrator, Config, options, Clock, NullLogger<BanAccountHandler>.Instance);
        Unban = new UnbanAccountHandler(Store, migrator, Config, options, Clock, NullLogger<UnbanAccountHandler>.Instance);
    }

    public IdTokenVerifier Verifier { get; }

    public LoginCustomHandler LoginCustom { get; }

    public LoginProviderHandler LoginProvider { get; }

    public LinkIdentityHandler Link { get; }

    public UnlinkIdentityHandler Unlink { get; }

    public BanAccountHandler Ban { get; }

    public UnbanAccountHandler Unban { get; }

    /// <summary>Sends <paramref name="payload"/> to <paramref name="handler"/> and returns the single AccountResult.</summary>
    public static async Task<AccountResult> CallAsync(IMessageHandler handler, IMessage payload, string? playerId = null, string? messageId = null)
    {
        var request = Request(handler.MessageType, payload.ToByteArray(), messageId, playerId: playerId);
        return SingleResult(request, await handler.HandleAsync(request, CancellationToken.None));
    }

    /// <summary>Sends a routed request as the frontend does (player id = the session's account) and returns the client reply.</summary>
    public static async Task<MetaServer.Protocol.V1.Envelope> RouteAsync(IMessageHandler handler, IMessage payload, string playerId)
    {
        var request = Request(handler.MessageType, payload.ToByteArray(), playerId: playerId);
        var reply = Assert.Single(await handler.HandleAsync(request, CancellationToken.None));
        var envelope = EnvelopeCodec.Decode(EnvelopeCodec.Encode(reply.Envelope));
        Assert.Equal(MessageTypes.FrontendClientReply, envelope.MessageType);
        Assert.Equal(request.Envelope.CorrelationId, envelope.CorrelationId);
        return ClientReply.Parser.ParseFrom(envelope.Payload.Span).Envelope;
    }

    public GameConfig.GameConfig Config { get; } = TestGameConfig.Instance;

    /// <summary>Every accounts handler, as AddAccountsService registers them.</summary>
    public IReadOnlyList<IMessageHandler> AllHandlers =>
        [Login, GetAccount, SetNickname, SetLoadout, Purchase, ClaimQuest, ClaimDailyReward, ApplyMatchResult, LoginCustom, LoginProvider, Link, Unlink, Ban, Unban, GrantPurchase, RevokePurchase];

    public AccountMutationRunner Runner { get; }

    public GrantPurchaseHandler GrantPurchase { get; }

    public RevokePurchaseHandler RevokePurchase { get; }

    public SetNicknameHandler SetNickname { get; }

    public SetLoadoutHandler SetLoadout { get; }

    public PurchaseHandler Purchase { get; }

    public ClaimQuestHandler ClaimQuest { get; }

    public ClaimDailyRewardHandler ClaimDailyReward { get; }

    public ApplyMatchResultHandler ApplyMatchResult { get; }

    public ManualTimeProvider Clock { get; }

    public SqliteAccountStore Sqlite { get; }

    public IAccountStore Store { get; }

    public LoginDeviceHandler Login { get; }

    public GetAccountHandler GetAccount { get; }

    /// <summary>A request as a pipeline hands it over: encoded and decoded with <see cref="EnvelopeCodec"/>.</summary>
    public static IncomingMessage Request(string messageType, ReadOnlyMemory<byte> payload, string? messageId = null, string? replyTo = ReplyQueue, int receiveCount = 1, string? playerId = null)
    {
        var envelope = new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = messageId ?? Guid.NewGuid().ToString("N"),
            CorrelationId = "corr-" + Guid.NewGuid().ToString("N"),
            ReplyTo = replyTo,
            SessionId = "session-1",
            PlayerId = playerId,
            DeploymentVersion = "local",
            TraceId = "trace-1",
            SentAt = TestAccounts.Epoch,
            Payload = payload,
        };
        var decoded = EnvelopeCodec.Decode(EnvelopeCodec.Encode(envelope));
        return new IncomingMessage(decoded, new QueueNames("local").ForMessageType(messageType), receiveCount);
    }

    public static IncomingMessage LoginRequest(string deviceId, string? messageId = null, int receiveCount = 1) =>
        Request(MessageTypes.AccountsLoginDevice, new LoginDeviceCommand { DeviceId = deviceId }.ToByteArray(), messageId, receiveCount: receiveCount);

    public static IncomingMessage GetAccountRequest(string accountId) =>
        Request(MessageTypes.AccountsGetAccount, new GetAccountQuery { AccountId = accountId }.ToByteArray());

    /// <summary>The single reply's payload, after checking it goes back to the request's reply queue with its correlation id.</summary>
    public static AccountResult SingleResult(IncomingMessage request, IReadOnlyList<OutgoingMessage> replies)
    {
        var reply = Assert.Single(replies);
        Assert.Equal(request.Envelope.ReplyTo, reply.QueueName);
        var envelope = EnvelopeCodec.Decode(EnvelopeCodec.Encode(reply.Envelope));
        Assert.Equal(MessageTypes.AccountsAccountResult, envelope.MessageType);
        Assert.Equal(request.Envelope.CorrelationId, envelope.CorrelationId);
        Assert.Equal(request.Envelope.SessionId, envelope.SessionId);
        Assert.Equal(request.Envelope.TraceId, envelope.TraceId);
        Assert.NotEqual(request.Envelope.MessageId, envelope.MessageId);
        return AccountResult.Parser.ParseFrom(envelope.Payload.Span);
    }

    /// <summary>A routed client request as the frontend forwards it: the request message as payload, the session's account as player id.</summary>
    public static IncomingMessage RoutedRequest(string messageType, IMessage request, string accountId, string? messageId = null) =>
        Request(messageType, request.ToByteArray(), messageId, playerId: accountId);

    /// <summary>The client envelope of the single reply (a <c>frontend.client-reply</c> to the request's reply queue).</summary>
    public static Envelope SingleClientReply(IncomingMessage request, IReadOnlyList<OutgoingMessage> replies)
    {
        var reply = Assert.Single(replies);
        Assert.Equal(request.Envelope.ReplyTo, reply.QueueName);
        var envelope = EnvelopeCodec.Decode(EnvelopeCodec.Encode(reply.Envelope));
        Assert.Equal(MessageTypes.FrontendClientReply, envelope.MessageType);
        Assert.Equal(request.Envelope.CorrelationId, envelope.CorrelationId);
        return ClientReply.Parser.ParseFrom(envelope.Payload.Span).Envelope;
    }

    /// <summary>Handles <paramref name="request"/> with the handler of its type and returns the client envelope of the reply.</summary>
    public async Task<Envelope> HandleRoutedAsync(IncomingMessage request)
    {
        IMessageHandler handler = request.Envelope.MessageType switch
        {
            MessageTypes.AccountsSetNickname => SetNickname,
            MessageTypes.AccountsSetLoadout => SetLoadout,
            MessageTypes.AccountsPurchase => Purchase,
            MessageTypes.AccountsClaimQuest => ClaimQuest,
            MessageTypes.AccountsClaimDailyReward => ClaimDailyReward,
            _ => throw new ArgumentException("Not a routed mutation: " + request.Envelope.MessageType, nameof(request)),
        };
        return SingleClientReply(request, await handler.HandleAsync(request, CancellationToken.None));
    }

    public Task<Envelope> PurchaseAsync(string accountId, string offerId, string? clientRequestId = null) =>
        HandleRoutedAsync(RoutedRequest(MessageTypes.AccountsPurchase, new PurchaseRequest { ClientRequestId = clientRequestId ?? NewRequestId(), OfferId = offerId }, accountId));

    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>Logs a new device in and returns its account id.</summary>
    public async Task<string> NewAccountAsync()
    {
        var login = await LoginAsync(TestAccounts.NewDeviceId());
        Assert.Equal(ResultCode.Ok, login.Result.Code);
        return login.Account.AccountId;
    }

    public async Task<AccountResult> LoginAsync(string deviceId, string? messageId = null)
    {
        var request = LoginRequest(deviceId, messageId);
        return SingleResult(request, await Login.HandleAsync(request, CancellationToken.None));
    }

    /// <summary>Stores an account as an older (or newer) build wrote it, linked to its first device id.</summary>
    public async Task<Account> SeedAsync(string documentJson)
    {
        var account = AccountFixtures.Read(documentJson, revision: 1);
        var result = await Sqlite.CreateForDeviceAsync(account.DeviceIds[0], account, CancellationToken.None);
        Assert.True(result.Created);
        return result.Account;
    }

    public void Dispose()
    {
        Sqlite.Dispose();
        _directory.Dispose();
    }
}

/// <summary>
/// Before each of the first <c>conflicts</c> updates, writes a competing change (a nickname, or <c>change</c>) so the
/// handler's update meets a real stale revision.
/// </summary>
internal sealed class CompetingWriterStore(IAccountStore inner, int conflicts, Func<Account, Account>? change = null) : IAccountStore
{
    private int _remaining = conflicts;

    public string CompetingNickname { get; } = "ChangedElsewhere";

    public int CompetingWrites { get; private set; }

    public Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken) => inner.GetAsync(accountId, cancellationToken);

    public Task<IReadOnlyDictionary<string, Account>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken) =>
        inner.GetManyAsync(accountIds, cancellationToken);

    public Task<Account?> FindByDeviceAsync(string deviceId, CancellationToken cancellationToken) => inner.FindByDeviceAsync(deviceId, cancellationToken);

    public Task<DeviceAccountResult> CreateForDeviceAsync(string deviceId, Account newAccount, CancellationToken cancellationToken) =>
        inner.CreateForDeviceAsync(deviceId, newAccount, cancellationToken);

    public Task<Account?> FindByIdentityAsync(LinkedIdentity identity, CancellationToken cancellationToken) => inner.FindByIdentityAsync(identity, cancellationToken);

    public Task<DeviceAccountResult> CreateForIdentityAsync(LinkedIdentity identity, Account newAccount, CancellationToken cancellationToken) =>
        inner.CreateForIdentityAsync(identity, newAccount, cancellationToken);

    public Task<IdentityClaimResult> ClaimIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken) =>
        inner.ClaimIdentityAsync(identity, accountId, cancellationToken);

    public Task ReleaseIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken) =>
        inner.ReleaseIdentityAsync(identity, accountId, cancellationToken);

    public async Task<AccountUpdateResult> TryUpdateAsync(Account account, long expectedRevision, CancellationToken cancellationToken)
    {
        if (_remaining > 0)
        {
            _remaining--;
            var current = await inner.GetAsync(account.AccountId, cancellationToken) ?? throw new InvalidOperationException("missing account");
            var changed = change?.Invoke(current) ?? current with { Nickname = CompetingNickname };
            var competing = await inner.TryUpdateAsync(changed, current.Revision, cancellationToken);
            Assert.True(competing.Succeeded);
            CompetingWrites++;
        }

        return await inner.TryUpdateAsync(account, expectedRevision, cancellationToken);
    }
}

/// <summary>A store that is down.</summary>
internal sealed class FailingStore : IAccountStore
{
    public Task<Account?> GetAsync(string accountId, CancellationToken cancellationToken) => throw Down();

    public Task<IReadOnlyDictionary<string, Account>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken) => throw Down();

    public Task<Account?> FindByDeviceAsync(string deviceId, CancellationToken cancellationToken) => throw Down();

    public Task<DeviceAccountResult> CreateForDeviceAsync(string deviceId, Account newAccount, CancellationToken cancellationToken) => throw Down();

    public Task<AccountUpdateResult> TryUpdateAsync(Account account, long expectedRevision, CancellationToken cancellationToken) => throw Down();

    public Task<Account?> FindByIdentityAsync(LinkedIdentity identity, CancellationToken cancellationToken) => throw Down();

    public Task<DeviceAccountResult> CreateForIdentityAsync(LinkedIdentity identity, Account newAccount, CancellationToken cancellationToken) => throw Down();

    public Task<IdentityClaimResult> ClaimIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken) => throw Down();

    public Task ReleaseIdentityAsync(LinkedIdentity identity, string accountId, CancellationToken cancellationToken) => throw Down();

    private static IOException Down() => new("store is down");
}
