using System.Text;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Payments.Clawbacks;
using MetaServer.Payments.Storage;
using MetaServer.Payments.Verification;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StoreRefundKind = MetaServer.Payments.Verification.StoreRefundKind;

namespace MetaServer.Payments.Tests;

/// <summary>Where refunds come from: the App Store notification endpoint and the Google Play voided-purchases poller.</summary>
public sealed class ClawbackSourceTests
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly EmbeddedTransport _transport;
    private readonly QueueNames _queues = new("v1");
    private readonly string _refundQueue;

    public ClawbackSourceTests()
    {
        _transport = new EmbeddedTransport(_clock);
        _refundQueue = _queues.ForMessageType(MessageTypes.PaymentsStoreRefund);
        _transport.CreateQueueAsync(_refundQueue, new QueueSettings()).AsTask().GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Notification_Refund_IsEnqueuedThenAnswered200()
    {
        var refund = new StoreRefund(PurchaseStore.AppStore, "3000", StoreRefundKind.Refund, _clock.GetUtcNow(), "uuid-1");
        var verifier = new FakeNotificationVerifier(new AppStoreNotification(VerificationVerdict.Valid, "ok", "uuid-1", "REFUND", null, refund));

        var status = await PostAsync(verifier, """{"signedPayload":"header.payload.sig"}""");

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("header.payload.sig", verifier.LastPayload);
        var notice = Assert.Single(await ReceiveRefundsAsync());
        Assert.Equal("3000", notice.TransactionKey);
        Assert.Equal(Protocol.V1.PurchaseStore.AppStore, notice.Store);
        Assert.Equal(Protocol.Internal.V1.StoreRefundKind.Refund, notice.Kind);
    }

    [Fact]
    public async Task Notification_BadSignature_Answers400AndEnqueuesNothing()
    {
        var verifier = new FakeNotificationVerifier(new AppStoreNotification(VerificationVerdict.InvalidSignature, "forged chain", null, null, null, null));

        var status = await PostAsync(verifier, """{"signedPayload":"forged"}""");

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Empty(await ReceiveRefundsAsync());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"other":"x"}""")]
    [InlineData("""{"signedPayload":42}""")]
    public async Task Notification_NotTheExpectedJson_Answers400(string body)
    {
        var verifier = new FakeNotificationVerifier(new AppStoreNotification(VerificationVerdict.Valid, "ok", "u", "REFUND", null, null));

        Assert.Equal(StatusCodes.Status400BadRequest, await PostAsync(verifier, body));
        Assert.Null(verifier.LastPayload);
    }

    [Fact]
    public async Task Notification_OtherType_Answers200AndIsIgnored()
    {
        var verifier = new FakeNotificationVerifier(new AppStoreNotification(VerificationVerdict.Valid, "ok", "uuid-2", "DID_RENEW", null, null));

        Assert.Equal(StatusCodes.Status200OK, await PostAsync(verifier, """{"signedPayload":"x"}"""));
        Assert.Empty(await ReceiveRefundsAsync());
    }

    [Fact]
    public async Task Notification_NoVerifierConfigured_Answers503()
    {
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, await PostAsync(null, """{"signedPayload":"x"}"""));
    }

    [Fact]
    public async Task Poller_FirstPoll_ReadsFromLookbackFollowsPagesEnqueuesAndMovesCheckpoint()
    {
        var source = new FakeVoidedSource();
        source.Pages[string.Empty] = new VoidedPurchasesPage([Voided("token-a")], "page-2");
        source.Pages["page-2"] = new VoidedPurchasesPage([Voided("token-b")], null);
        var (poller, store) = Poller(source);

        var enqueued = await poller.PollOnceAsync(CancellationToken.None);

        Assert.Equal(2, enqueued);
        Assert.Equal(_clock.GetUtcNow() - TimeSpan.FromDays(30), source.StartTimes[0]);
        Assert.Equal(["token-a", "token-b"], (await ReceiveRefundsAsync()).Select(n => n.TransactionKey));
        var checkpoint = VoidedPurchasesCheckpoint.Parser.ParseFrom((await store.GetAsync(PaymentStoreKeys.GoogleVoidedCheckpoint))!.Value.Span);
        Assert.Equal((_clock.GetUtcNow() - TimeSpan.FromMinutes(5)).ToUnixTimeMilliseconds(), checkpoint.StartTimeUnixMs);

        _clock.Advance(TimeSpan.FromMinutes(15));
        source.Pages[string.Empty] = new VoidedPurchasesPage([], null);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(checkpoint.StartTimeUnixMs), source.StartTimes[^1]);
    }

    [Fact]
    public async Task Poller_SourceUnavailable_KeepsTheCheckpoint()
    {
        var source = new FakeVoidedSource { Unavailable = true };
        var (poller, store) = Poller(source);

        Assert.Equal(0, await poller.PollOnceAsync(CancellationToken.None));

        Assert.Null(await store.GetAsync(PaymentStoreKeys.GoogleVoidedCheckpoint));
    }

    private StoreRefund Voided(string token) => new(PurchaseStore.GooglePlay, token, StoreRefundKind.Refund, _clock.GetUtcNow(), "order-" + token);

    private (GoogleVoidedPurchasesPoller Poller, InMemoryPaymentStore Store) Poller(IVoidedPurchasesSource source)
    {
        var services = new ServiceCollection().AddSingleton(source).BuildServiceProvider();
        var store = new InMemoryPaymentStore(_clock);
        var poller = new GoogleVoidedPurchasesPoller(
            services, store, Queue(), Options.Create(new PaymentsOptions()), _clock, NullLogger<GoogleVoidedPurchasesPoller>.Instance);
        return (poller, store);
    }

    private StoreRefundQueue Queue() =>
        new(_transport, _queues, Options.Create(new MetaServerOptions { DeploymentVersion = "v1" }), _clock);

    private async Task<int> PostAsync(IAppStoreNotificationVerifier? verifier, string body)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(Queue());
        if (verifier is not null)
        {
            services.AddSingleton(verifier);
        }

        var context = new DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var result = await AppStoreNotificationEndpoint.HandleAsync(context, 64 * 1024);
        return Assert.IsAssignableFrom<IStatusCodeHttpResult>(result).StatusCode ?? StatusCodes.Status200OK;
    }

    private async Task<List<StoreRefundNotice>> ReceiveRefundsAsync()
    {
        var received = await _transport.ReceiveAsync(_refundQueue, new ReceiveOptions { MaxMessages = 10 });
        return [.. received.Select(m => StoreRefundNotice.Parser.ParseFrom(EnvelopeCodec.Decode(m.Body).Payload.Span))];
    }

    private sealed class FakeNotificationVerifier(AppStoreNotification answer) : IAppStoreNotificationVerifier
    {
        public string? LastPayload { get; private set; }

        public ValueTask<AppStoreNotification> VerifyAsync(string signedPayload, CancellationToken cancellationToken)
        {
            LastPayload = signedPayload;
            return ValueTask.FromResult(answer);
        }
    }

    private sealed class FakeVoidedSource : IVoidedPurchasesSource
    {
        public Dictionary<string, VoidedPurchasesPage> Pages { get; } = new(StringComparer.Ordinal);

        public List<DateTimeOffset> StartTimes { get; } = [];

        public bool Unavailable { get; init; }

        public ValueTask<VoidedPurchasesPage> ListAsync(DateTimeOffset startTime, string? pageToken, CancellationToken cancellationToken)
        {
            StartTimes.Add(startTime);
            if (Unavailable)
            {
                throw new StoreUnavailableException("Google is down (test)");
            }

            return ValueTask.FromResult(Pages[pageToken ?? string.Empty]);
        }
    }
}
