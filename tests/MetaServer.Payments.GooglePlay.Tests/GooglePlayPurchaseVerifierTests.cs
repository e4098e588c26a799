using System.Security.Cryptography;
using System.Text.Json;
using MetaServer.Payments.Verification;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Payments.GooglePlay.Tests;

public sealed class GooglePlayPurchaseVerifierTests : IAsyncLifetime
{
    private const string ProductsPath = "/androidpublisher/v3/applications/" + FakeGooglePlay.PackageName + "/purchases/products/";

    private readonly RSA _key = RSA.Create(2048);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("googleplay-tests-").FullName;
    private FakeGooglePlay _google = null!;
    private ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _google = await FakeGooglePlay.StartAsync(_key, _time);
        _provider = BuildProvider("Production");
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _google.DisposeAsync();
        _key.Dispose();
        Directory.Delete(_directory, true);
    }

    [Fact]
    public async Task VerifyAsync_PurchasedToken_ValidWithBindingOrderAndQuantity()
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0, orderId: "GPA.1234-5678", account: "0123abcd-4567-89ef-0123-456789abcdef", quantity: 2));

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal(
            new VerifiedPurchase(PurchaseStore.GooglePlay, "tok-1", "gems_small", 2, PurchasedAt, "Production", "0123abcd-4567-89ef-0123-456789abcdef", "GPA.1234-5678"),
            result.Purchase);
        Assert.Empty(_google.AssertionProblems);
        var token = Assert.Single(_google.TokenRequests);
        Assert.Equal("POST", token.Method);
        var call = Assert.Single(_google.ApiRequests);
        Assert.Equal("GET", call.Method);
        Assert.Equal(ProductsPath + "gems_small/tokens/tok-1", call.Path);
        Assert.Equal("Bearer access-1", call.Authorization);
    }

    [Fact]
    public async Task VerifyAsync_NoQuantityNoAccount_QuantityOneBindingNull()
    {
        _google.Products["gems_small/tok-1"] = (200, """{"purchaseState":0,"purchaseTimeMillis":"1777629600000","orderId":"GPA.1"}""");

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal(1, result.Purchase!.Quantity);
        Assert.Null(result.Purchase.AccountBinding);
    }

    [Theory]
    [InlineData(1, "cancelled")]
    [InlineData(2, "pending")]
    public async Task VerifyAsync_NotPurchasedState_NotPurchased(int state, string detail)
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: state));

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.NotPurchased, result.Verdict);
        Assert.Contains(detail, result.Detail, StringComparison.Ordinal);
        Assert.Null(result.Purchase);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(400)]
    public async Task VerifyAsync_UnknownToken_NotPurchased(int status)
    {
        _google.Products["gems_small/tok-1"] = (status, "{\"error\":{}}");

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.NotPurchased, result.Verdict);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(403)]
    public async Task VerifyAsync_RetryableStatus_StoreUnavailable(int status)
    {
        _google.Products["gems_small/tok-1"] = (status, "{\"error\":{}}");

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.StoreUnavailable, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_GoogleUnreachable_StoreUnavailable()
    {
        await _google.DisposeAsync();

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.StoreUnavailable, result.Verdict);
        _google = await FakeGooglePlay.StartAsync(_key, _time);
    }

    [Fact]
    public async Task VerifyAsync_TokenEndpointRefuses_StoreUnavailableWithoutApiCall()
    {
        _google.TokenStatus = 400;

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.StoreUnavailable, result.Verdict);
        Assert.Empty(_google.ApiRequests);
    }

    [Fact]
    public async Task VerifyAsync_SecondCallBeforeExpiry_ReusesCachedToken()
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0));

        await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(54));
        await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Single(_google.TokenRequests);
        Assert.All(_google.ApiRequests, r => Assert.Equal("Bearer access-1", r.Authorization));
    }

    [Fact]
    public async Task VerifyAsync_TokenNearExpiry_RefreshesWithNewAssertion()
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0));

        await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(55));
        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal(2, _google.TokenRequests.Count());
        Assert.Empty(_google.AssertionProblems);
        Assert.Equal(["Bearer access-1", "Bearer access-2"], _google.ApiRequests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task VerifyAsync_ConcurrentCallsWithoutToken_ShareOneTokenRequest()
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None).AsTask())).WithTimeout("concurrent verifies");

        Assert.All(results, r => Assert.Equal(VerificationVerdict.Valid, r.Verdict));
        Assert.Single(_google.TokenRequests);
    }

    [Fact]
    public async Task VerifyAsync_TokenRevokedAtGoogle_FetchesNewTokenAndRetriesOnce()
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0));
        await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);
        _google.RevokedTokens["access-1"] = true;

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal("Bearer access-2", _google.ApiRequests.Last().Authorization);
    }

    [Fact]
    public async Task VerifyAsync_TestPurchaseInProduction_WrongEnvironment()
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0, purchaseType: 0));

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongEnvironment, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_RealPurchaseInSandbox_WrongEnvironment()
    {
        await _provider.DisposeAsync();
        _provider = BuildProvider("Sandbox");
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0));

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongEnvironment, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_TestPurchaseInSandbox_ValidSandbox()
    {
        await _provider.DisposeAsync();
        _provider = BuildProvider("Sandbox");
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0, purchaseType: 0));

        var result = await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal("Sandbox", result.Purchase!.Environment);
    }

    [Theory]
    [InlineData("", "gems_small")]
    [InlineData("tok-1", null)]
    [InlineData("tok-1", "")]
    public async Task VerifyAsync_MissingTokenOrProduct_MalformedWithoutCallingGoogle(string token, string? productId)
    {
        var result = await Verifier.VerifyAsync(new PurchaseProof(PurchaseStore.GooglePlay, token, productId), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
        Assert.Empty(_google.Requests);
    }

    [Fact]
    public async Task CompleteAsync_GrantedPurchase_PostsAcknowledge()
    {
        _google.Products["gems_small/tok-1"] = (200, Purchase(state: 0));
        var purchase = (await Verifier.VerifyAsync(Proof("tok-1"), CancellationToken.None)).Purchase!;

        await Verifier.CompleteAsync(purchase, CancellationToken.None);

        var acknowledge = _google.ApiRequests.Last();
        Assert.Equal("POST", acknowledge.Method);
        Assert.Equal(ProductsPath + "gems_small/tokens/tok-1:acknowledge", acknowledge.Path);
        Assert.Equal("Bearer access-1", acknowledge.Authorization);
        Assert.StartsWith("application/json", acknowledge.ContentType, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(429)]
    public async Task CompleteAsync_GoogleFails_ThrowsStoreUnavailable(int status)
    {
        _google.Acknowledge["gems_small/tok-1"] = status;

        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await Verifier.CompleteAsync(GrantedPurchase(), CancellationToken.None));
    }

    [Fact]
    public async Task CompleteAsync_GoogleUnreachable_ThrowsStoreUnavailable()
    {
        await _google.DisposeAsync();

        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await Verifier.CompleteAsync(GrantedPurchase(), CancellationToken.None));
        _google = await FakeGooglePlay.StartAsync(_key, _time);
    }

    [Fact]
    public async Task CompleteAsync_AlreadyAcknowledged400_DoesNotThrow()
    {
        _google.Acknowledge["gems_small/tok-1"] = 400;

        await Verifier.CompleteAsync(GrantedPurchase(), CancellationToken.None);

        Assert.Equal("POST", _google.ApiRequests.Single().Method);
    }

    [Fact]
    public async Task ListAsync_TwoPages_FollowsPageTokenAndMapsRefundKinds()
    {
        var start = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        _google.VoidedPages[""] = (200, """
            {"voidedPurchases":[
              {"kind":"androidpublisher#voidedPurchase","purchaseToken":"tok-a","purchaseTimeMillis":"1775000000000","voidedTimeMillis":"1775100000000","orderId":"GPA.A","voidedSource":0,"voidedReason":1},
              {"kind":"androidpublisher#voidedPurchase","purchaseToken":"tok-b","purchaseTimeMillis":"1775000000000","voidedTimeMillis":"1775200000000","orderId":"GPA.B","voidedSource":2,"voidedReason":7}
            ],"tokenPagination":{"nextPageToken":"page/2+x"}}
            """);
        _google.VoidedPages["page/2+x"] = (200, """
            {"voidedPurchases":[{"purchaseToken":"tok-c","voidedTimeMillis":"1775300000000","orderId":"GPA.C","voidedSource":1,"voidedReason":0}]}
            """);

        var first = await Voided.ListAsync(start, null, CancellationToken.None);
        var second = await Voided.ListAsync(start, first.NextPageToken, CancellationToken.None);

        Assert.Equal(
            [
                new StoreRefund(PurchaseStore.GooglePlay, "tok-a", StoreRefundKind.Refund, DateTimeOffset.FromUnixTimeMilliseconds(1775100000000), "google-voided:GPA.A"),
                new StoreRefund(PurchaseStore.GooglePlay, "tok-b", StoreRefundKind.Revoke, DateTimeOffset.FromUnixTimeMilliseconds(1775200000000), "google-voided:GPA.B"),
            ],
            first.Refunds);
        Assert.Equal("page/2+x", first.NextPageToken);
        Assert.Equal(["tok-c"], second.Refunds.Select(r => r.TransactionKey));
        Assert.Null(second.NextPageToken);
        var calls = _google.ApiRequests.ToList();
        Assert.All(calls, c =>
        {
            Assert.Equal("GET", c.Method);
            Assert.Equal("/androidpublisher/v3/applications/" + FakeGooglePlay.PackageName + "/purchases/voidedpurchases", c.Path);
            Assert.Equal("Bearer access-1", c.Authorization);
        });
        Assert.Equal("?startTime=" + start.ToUnixTimeMilliseconds(), calls[0].Query);
        Assert.Equal("?startTime=" + start.ToUnixTimeMilliseconds() + "&token=page%2F2%2Bx", calls[1].Query);
    }

    [Fact]
    public async Task ListAsync_EmptyAnswer_NoRefundsNoNextPage()
    {
        _google.VoidedPages[""] = (200, "{}");

        var page = await Voided.ListAsync(_time.GetUtcNow().AddDays(-30), null, CancellationToken.None);

        Assert.Empty(page.Refunds);
        Assert.Null(page.NextPageToken);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(403)]
    [InlineData(400)]
    public async Task ListAsync_GoogleFails_ThrowsStoreUnavailable(int status)
    {
        _google.VoidedPages[""] = (status, "{\"error\":{}}");

        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await Voided.ListAsync(_time.GetUtcNow().AddDays(-1), null, CancellationToken.None));
    }

    [Fact]
    public void AddGooglePlayVerification_Registered_ExposesVerifierAndVoidedSource()
    {
        var verifier = Assert.Single(_provider.GetServices<IPurchaseVerifier>());

        Assert.Equal(PurchaseStore.GooglePlay, verifier.Store);
        Assert.Same(verifier, _provider.GetRequiredService<IVoidedPurchasesSource>());
    }

    private static readonly DateTimeOffset PurchasedAt = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private IPurchaseVerifier Verifier => _provider.GetRequiredService<IPurchaseVerifier>();

    private IVoidedPurchasesSource Voided => _provider.GetRequiredService<IVoidedPurchasesSource>();

    private static PurchaseProof Proof(string token) => new(PurchaseStore.GooglePlay, token, "gems_small");

    private static VerifiedPurchase GrantedPurchase() => new(PurchaseStore.GooglePlay, "tok-1", "gems_small", 1, PurchasedAt, "Production", null, "GPA.1");

    private static string Purchase(int state, string orderId = "GPA.1", string? account = null, int? quantity = null, int? purchaseType = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["kind"] = "androidpublisher#productPurchase",
            ["purchaseTimeMillis"] = PurchasedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["purchaseState"] = state,
            ["consumptionState"] = 0,
            ["orderId"] = orderId,
            ["acknowledgementState"] = 0,
            ["regionCode"] = "US",
        };
        if (account is not null)
        {
            body["obfuscatedExternalAccountId"] = account;
        }

        if (quantity is not null)
        {
            body["quantity"] = quantity;
        }

        if (purchaseType is not null)
        {
            body["purchaseType"] = purchaseType;
        }

        return JsonSerializer.Serialize(body);
    }

    private ServiceProvider BuildProvider(string environment)
    {
        var keyPath = TestServiceAccount.WriteKeyFile(_directory, _key, _google.TokenUrl);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [GooglePlayOptions.SectionName + ":PackageName"] = FakeGooglePlay.PackageName,
            [GooglePlayOptions.SectionName + ":Environment"] = environment,
            [GooglePlayOptions.SectionName + ":ServiceAccountKeyPath"] = keyPath,
            [GooglePlayOptions.SectionName + ":ApiBaseUrl"] = _google.Endpoint.AbsoluteUri,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddGooglePlayVerification(configuration);
        return services.BuildServiceProvider();
    }
}
