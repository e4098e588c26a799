using Google.Protobuf;
using MetaServer.Accounts;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Handlers;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Sqlite;
using MetaServer.GameConfig;
using MetaServer.Messaging;
using MetaServer.Payments.Handlers;
using MetaServer.Payments.Service;
using MetaServer.Payments.Storage;
using MetaServer.Payments.Tests.Storage;
using MetaServer.Payments.Verification;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StorePurchase = MetaServer.Payments.Verification.PurchaseStore;
using WireStore = MetaServer.Protocol.V1.PurchaseStore;
using StoreRefundKind = MetaServer.Protocol.Internal.V1.StoreRefundKind;

namespace MetaServer.Payments.Tests;

/// <summary>
/// The payments handlers on an in-memory payment store and the real accounts handlers (grant, revoke) on a SQLite
/// account store, with fake store verifiers. Messages are delivered by hand (<see cref="DeliverAsync"/>), so a test can
/// drop, duplicate or redeliver any message between two steps, as a crash and the queue's redelivery would.
/// </summary>
internal sealed class PaymentsHarness : IDisposable
{
    public const string FrontendReplyQueue = "v1-reply-fe-test";

    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, IMessageHandler> _routes = new(StringComparer.Ordinal);

    public PaymentsHarness(ClawbackPolicyOption policy = ClawbackPolicyOption.FlagAccount, bool withApple = true, bool withGoogle = true)
    {
        Config = GameConfigLoader.LoadBundled().Config ?? throw new InvalidOperationException("The bundled game config is invalid.");
        Queues = new QueueNames("v1");
        Accounts = new SqliteAccountStore(Path.Combine(_directory.Path, "accounts.db"), timeProvider: Clock);
        var runner = new AccountMutationRunner(
            Accounts,
            new AccountMigrator([new StartingEconomyMigration(Config)]),
            Options.Create(new AccountsOptions()),
            Clock,
            NullLogger<AccountMutationRunner>.Instance);
        Store = new InMemoryPaymentStore(Clock);
        PaymentsOptions = new PaymentsOptions { Clawback = new ClawbackOptions { Policy = policy } };
        var options = Options.Create(PaymentsOptions);
        Ledger = new PurchaseLedger(Store, options, Clock);
        List<IPurchaseVerifier> verifiers = [];
        if (withApple)
        {
            verifiers.Add(Apple);
        }

        if (withGoogle)
        {
            verifiers.Add(Google);
        }

        var registry = new PurchaseVerifiers(verifiers);
        Add(new RedeemPurchaseHandler(registry, Ledger, Config, Queues, options, Clock, NullLogger<RedeemPurchaseHandler>.Instance));
        Add(new PurchaseGrantedHandler(registry, Ledger, Queues, Clock, NullLogger<PurchaseGrantedHandler>.Instance));
        Add(new CompletePurchaseHandler(registry, Ledger, NullLogger<CompletePurchaseHandler>.Instance));
        Add(new StoreRefundHandler(Ledger, Queues, options, Clock, NullLogger<StoreRefundHandler>.Instance));
        Add(new PurchaseRevokedHandler(Ledger, NullLogger<PurchaseRevokedHandler>.Instance));
        Add(new GrantPurchaseHandler(runner, Config, Clock, NullLogger<GrantPurchaseHandler>.Instance));
        Add(new RevokePurchaseHandler(runner, Config, Clock, NullLogger<RevokePurchaseHandler>.Instance));
    }

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public GameConfig.GameConfig Config { get; }

    public QueueNames Queues { get; }

    public SqliteAccountStore Accounts { get; }

    public InMemoryPaymentStore Store { get; }

    public PaymentsOptions PaymentsOptions { get; }

    public PurchaseLedger Ledger { get; }

    public FakeVerifier Apple { get; } = new(StorePurchase.AppStore);

    public FakeVerifier Google { get; } = new(StorePurchase.GooglePlay);

    /// <summary>Client replies that reached the frontend reply queue, in order.</summary>
    public List<Envelope> ClientReplies { get; } = [];

    /// <summary>Messages that were sent but not delivered (dropped by a test's filter), in order.</summary>
    public List<OutgoingMessage> Undelivered { get; } = [];

    public async Task<string> CreateAccountAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var device = "device-" + id;
        var account = new Account
        {
            AccountId = id,
            Revision = 1,
            SchemaVersion = 1,
            Nickname = "Player",
            CreatedAt = Clock.GetUtcNow(),
            DeviceIds = [device],
        };
        await Accounts.CreateForDeviceAsync(device, account, CancellationToken.None);
        return id;
    }

    public async Task<Account> AccountAsync(string accountId) =>
        await Accounts.GetAsync(accountId, CancellationToken.None) ?? throw new InvalidOperationException("No such account.");

    /// <summary>Sets the account's balance of a currency (as if the player spent or earned it).</summary>
    public async Task SetBalanceAsync(string accountId, string currencyId, long balance)
    {
        var account = await AccountAsync(accountId);
        var result = await Accounts.TryUpdateAsync(account with { Wallet = account.Wallet.SetItem(currencyId, balance) }, account.Revision, CancellationToken.None);
        Assert.True(result.Succeeded);
    }

    public IncomingMessage Redeem(string accountId, WireStore store, string receipt, string? productId = null, string? messageId = null)
    {
        var request = new RedeemPurchaseRequest { Store = store, Receipt = receipt, ProductId = productId ?? string.Empty };
        return Incoming(MessageTypes.PaymentsRedeemPurchase, request, accountId, FrontendReplyQueue, messageId);
    }

    public IncomingMessage Refund(WireStore store, string transactionKey, StoreRefundKind kind = StoreRefundKind.Refund, string? messageId = null) =>
        Incoming(
            MessageTypes.PaymentsStoreRefund,
            new StoreRefundNotice { Store = store, TransactionKey = transactionKey, Kind = kind, RefundedAtUnixMs = Clock.GetUtcNow().ToUnixTimeMilliseconds(), SourceId = "test" },
            null,
            null,
            messageId);

    public IncomingMessage Incoming(string messageType, IMessage payload, string? playerId, string? replyTo, string? messageId = null) =>
        new(
            new MessageEnvelope
            {
                MessageType = messageType,
                MessageId = messageId ?? Guid.NewGuid().ToString("N"),
                CorrelationId = Guid.NewGuid().ToString("N"),
                ReplyTo = replyTo,
                PlayerId = playerId,
                DeploymentVersion = "v1",
                SentAt = Clock.GetUtcNow(),
                Payload = payload.ToByteArray(),
            },
            Queues.ForMessageType(messageType),
            1);

    /// <summary>
    /// Delivers <paramref name="first"/> and then, breadth first, every message the handlers send, except those
    /// <paramref name="drop"/> says to lose (kept in <see cref="Undelivered"/>). Returns the last client reply, if any.
    /// </summary>
    public async Task<Envelope?> DeliverAsync(IncomingMessage first, Func<OutgoingMessage, bool>? drop = null)
    {
        var pending = new Queue<IncomingMessage>();
        pending.Enqueue(first);
        Envelope? last = null;
        while (pending.TryDequeue(out var message))
        {
            var handler = _routes[message.QueueName];
            foreach (var outgoing in await handler.HandleAsync(message, CancellationToken.None))
            {
                if (outgoing.QueueName == FrontendReplyQueue)
                {
                    last = ClientReply.Parser.ParseFrom(outgoing.Envelope.Payload.Span).Envelope;
                    ClientReplies.Add(last);
                }
                else if (drop?.Invoke(outgoing) == true)
                {
                    Undelivered.Add(outgoing);
                }
                else
                {
                    pending.Enqueue(new IncomingMessage(outgoing.Envelope, outgoing.QueueName, 1));
                }
            }
        }

        return last;
    }

    /// <summary>An undelivered message delivered now, as the queue's redelivery would.</summary>
    public Task<Envelope?> RedeliverAsync(OutgoingMessage message, Func<OutgoingMessage, bool>? drop = null) =>
        DeliverAsync(new IncomingMessage(message.Envelope, message.QueueName, 2), drop);

    public Task<PurchaseLedgerEntry?> EntryAsync(StorePurchase store, string key) => Ledger.GetAsync(store, key, CancellationToken.None).AsTask();

    public void Dispose()
    {
        Accounts.Dispose();
        _directory.Dispose();
    }

    private void Add(IMessageHandler handler) => _routes[Queues.ForMessageType(handler.MessageType)] = handler;
}

/// <summary>
/// A store verifier whose verdicts the test sets: by default a receipt <c>tx:&lt;key&gt;:&lt;product&gt;</c> is a valid
/// purchase of that product with that transaction key (Google Play: the receipt itself is the key), anything else
/// MALFORMED. <see cref="Verdicts"/> overrides by receipt; <see cref="CompleteFailures"/> makes CompleteAsync throw
/// <see cref="StoreUnavailableException"/> that many times.
/// </summary>
internal sealed class FakeVerifier(StorePurchase store) : IPurchaseVerifier
{
    public StorePurchase Store => store;

    public Dictionary<string, PurchaseVerification> Verdicts { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string?> Bindings { get; } = new(StringComparer.Ordinal);

    public int VerifyCalls { get; private set; }

    public int CompleteFailures { get; set; }

    public List<string> Completed { get; } = [];

    public ValueTask<PurchaseVerification> VerifyAsync(PurchaseProof proof, CancellationToken cancellationToken)
    {
        VerifyCalls++;
        if (Verdicts.TryGetValue(proof.Receipt, out var set))
        {
            return ValueTask.FromResult(set);
        }

        var parts = proof.Receipt.Split(':');
        if (parts.Length != 3 || parts[0] != "tx")
        {
            return ValueTask.FromResult(PurchaseVerification.Rejected(VerificationVerdict.Malformed, "not a test receipt"));
        }

        var key = store == StorePurchase.GooglePlay ? proof.Receipt : parts[1];
        var product = store == StorePurchase.GooglePlay ? proof.ProductId ?? parts[2] : parts[2];
        return ValueTask.FromResult(PurchaseVerification.Accepted(new VerifiedPurchase(
            store, key, product, 1, DateTimeOffset.UnixEpoch, "Production", Bindings.GetValueOrDefault(proof.Receipt), "GPA." + parts[1])));
    }

    public ValueTask CompleteAsync(VerifiedPurchase purchase, CancellationToken cancellationToken)
    {
        if (CompleteFailures > 0)
        {
            CompleteFailures--;
            throw new StoreUnavailableException("the store is down (test)");
        }

        Completed.Add(purchase.TransactionKey);
        return ValueTask.CompletedTask;
    }
}
