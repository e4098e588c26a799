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
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Tests;

/// <summary>The two handlers on a SQLite store in a temp folder, with a manual clock.</summary>
internal sealed class HandlerHarness : IDisposable
{
    public const string ReplyQueue = "local-reply-fe-test";

    private readonly TempDirectory _directory = new();

    public HandlerHarness(
        IEnumerable<IAccountMigration>? migrations = null,
        Func<IAccountStore, IAccountStore>? wrapStore = null,
        int maxUpdateAttempts = 8,
        IAccountSummaryCache? summaryCache = null,
        IdentityProvidersOptions? providers = null)
    {
        Sqlite = new SqliteAccountStore(Path.Combine(_directory.Path, "accounts.db"), timeProvider: Clock);
        Store = wrapStore?.Invoke(Sqlite) ?? Sqlite;
        var migrator = new AccountMigrator(migrations ?? []);
        Login = new LoginDeviceHandler(
            Store,
            migrator,
            Options.Create(new AccountsOptions { MaxUpdateAttempts = maxUpdateAttempts }),
            Clock,
            NullLogger<LoginDeviceHandler>.Instance,
            summaryCache);
        GetAccount = new GetAccountHandler(Store, migrator, Clock, NullLogger<GetAccountHandler>.Instance);
        var options = Options.Create(new AccountsOptions { MaxUpdateAttempts = maxUpdateAttempts, MaxIdentitiesPerAccount = 4 });
        Verifier = new IdTokenVerifier(Options.Create(providers ?? new IdentityProvidersOptions()), Clock, NullLogger<IdTokenVerifier>.Instance);
        LoginCustom = new LoginCustomHandler(Store, migrator, options, Clock, NullLogger<LoginCustomHandler>.Instance, summaryCache);
        LoginProvider = new LoginProviderHandler(Store, migrator, Verifier, options, Clock, NullLogger<LoginProviderHandler>.Instance, summaryCache);
        Link = new LinkIdentityHandler(Store, migrator, Verifier, options, Clock, NullLogger<LinkIdentityHandler>.Instance);
        Unlink = new UnlinkIdentityHandler(Store, migrator, options, Clock, NullLogger<UnlinkIdentityHandler>.Instance);
        Ban = new BanAccountHandler(Store, migrator, options, Clock, NullLogger<BanAccountHandler>.Instance);
        Unban = new UnbanAccountHandler(Store, migrator, options, Clock, NullLogger<UnbanAccountHandler>.Instance);
    }

    public IdTokenVerifier Verifier { get; }

    public LoginCustomHandler LoginCustom { get; }

    public LoginProviderHandler LoginProvider { get; }

    public LinkIdentityHandler Link { get; }

    public UnlinkIdentityHandler Unlink { get; }

    public BanAccountHandler Ban { get; }

    public UnbanAccountHandler Unban { get; }

    /// <summary>Every handler the accounts service registers.</summary>
    public IReadOnlyList<IMessageHandler> Handlers => [Login, GetAccount, LoginCustom, LoginProvider, Link, Unlink, Ban, Unban];

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

    public ManualTimeProvider Clock { get; } = new(TestAccounts.Epoch);

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
/// Before each of the first <c>conflicts</c> updates, writes a competing change (a nickname) so the handler's
/// update meets a real stale revision.
/// </summary>
internal sealed class CompetingWriterStore(IAccountStore inner, int conflicts) : IAccountStore
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
            var competing = await inner.TryUpdateAsync(current with { Nickname = CompetingNickname }, current.Revision, cancellationToken);
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
