using MetaServer.Payments.Verification;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.AppStore.Tests;

public sealed class AppStoreNotificationVerifierTests : IDisposable
{
    private readonly TestCertificates _apple = TestCertificates.Create("Test Apple");
    private readonly AppStoreJwsVerifier _jws;
    private readonly AppStorePurchaseVerifier _verifier;

    public AppStoreNotificationVerifierTests()
    {
        var options = Options.Create(new AppStoreOptions
        {
            BundleId = TestJws.BundleId,
            Environment = "Production",
            RootCertificateBase64 = Convert.ToBase64String(_apple.Root.RawData),
        });
        _jws = new AppStoreJwsVerifier(options);
        _verifier = new AppStorePurchaseVerifier(_jws, options, NullLogger<AppStorePurchaseVerifier>.Instance);
    }

    public void Dispose()
    {
        _jws.Dispose();
        _apple.Dispose();
    }

    [Fact]
    public async Task VerifyAsync_RefundNotification_RefundOfTheTransaction()
    {
        var revokedAt = TestJws.SignedAt.AddDays(2);
        var transaction = TestJws.Sign(_apple, TestJws.Transaction(transactionId: "2000000555", revokedAt: revokedAt));
        var signedPayload = TestJws.Sign(_apple, TestJws.Notification("REFUND", transaction, uuid: "uuid-refund-1"));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal("REFUND", result.NotificationType);
        Assert.Equal("uuid-refund-1", result.NotificationUuid);
        var refund = Assert.IsType<StoreRefund>(result.Refund);
        Assert.Equal(new StoreRefund(PurchaseStore.AppStore, "2000000555", StoreRefundKind.Refund, revokedAt, "uuid-refund-1"), refund);
    }

    [Fact]
    public async Task VerifyAsync_RevokeNotification_RevokeOfTheTransaction()
    {
        var transaction = TestJws.Sign(_apple, TestJws.Transaction(transactionId: "2000000777", revokedAt: TestJws.SignedAt.AddDays(1)));
        var signedPayload = TestJws.Sign(_apple, TestJws.Notification("REVOKE", transaction, uuid: "uuid-revoke-1"));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        var refund = Assert.IsType<StoreRefund>(result.Refund);
        Assert.Equal(StoreRefundKind.Revoke, refund.Kind);
        Assert.Equal("2000000777", refund.TransactionKey);
        Assert.Equal("uuid-revoke-1", refund.SourceId);
    }

    [Fact]
    public async Task VerifyAsync_RefundWithoutRevocationDate_UsesNotificationSignedDate()
    {
        var payload = TestJws.Notification("REFUND", TestJws.Sign(_apple, TestJws.Transaction()));
        var result = await _verifier.VerifyAsync(TestJws.Sign(_apple, payload), CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds((long)payload["signedDate"]!), result.Refund!.At);
    }

    [Theory]
    [InlineData("CONSUMPTION_REQUEST", null)]
    [InlineData("DID_RENEW", null)]
    [InlineData("REFUND_DECLINED", null)]
    [InlineData("TEST", null)]
    [InlineData("REFUND_REVERSED", null)]
    [InlineData("DID_CHANGE_RENEWAL_STATUS", "AUTO_RENEW_DISABLED")]
    public async Task VerifyAsync_OtherNotificationType_ValidWithoutRefund(string type, string? subtype)
    {
        var signedPayload = TestJws.Sign(_apple, TestJws.Notification(type, TestJws.Sign(_apple, TestJws.Transaction()), subtype: subtype));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Equal(type, result.NotificationType);
        Assert.Equal(subtype, result.Subtype);
        Assert.Null(result.Refund);
    }

    [Fact]
    public async Task VerifyAsync_ForgedNotification_InvalidSignature()
    {
        using var forger = TestCertificates.Create("Forger");
        var signedPayload = TestJws.Sign(forger, TestJws.Notification("REFUND", TestJws.Sign(forger, TestJws.Transaction())));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.Null(result.Refund);
    }

    [Fact]
    public async Task VerifyAsync_GenuineNotificationWithForgedTransaction_InvalidSignature()
    {
        using var forger = TestCertificates.Create("Forger");
        var signedPayload = TestJws.Sign(_apple, TestJws.Notification("REFUND", TestJws.Sign(forger, TestJws.Transaction())));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
        Assert.StartsWith("signedTransactionInfo:", result.Detail, StringComparison.Ordinal);
        Assert.Null(result.Refund);
    }

    [Fact]
    public async Task VerifyAsync_TamperedNotification_InvalidSignature()
    {
        var genuine = TestJws.Sign(_apple, TestJws.Notification("TEST", null)).Split('.');
        var tampered = genuine[0] + "." + TestJws.Encode(TestJws.Notification("REFUND", TestJws.Sign(_apple, TestJws.Transaction()))) + "." + genuine[2];

        var result = await _verifier.VerifyAsync(tampered, CancellationToken.None);

        Assert.Equal(VerificationVerdict.InvalidSignature, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_NotificationOfAnotherBundle_WrongBundle()
    {
        var signedPayload = TestJws.Sign(_apple, TestJws.Notification("REFUND", TestJws.Sign(_apple, TestJws.Transaction()), bundleId: "com.other.game"));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongBundle, result.Verdict);
        Assert.Null(result.Refund);
    }

    [Fact]
    public async Task VerifyAsync_SandboxNotificationInProduction_WrongEnvironment()
    {
        var signedPayload = TestJws.Sign(_apple, TestJws.Notification("REFUND", TestJws.Sign(_apple, TestJws.Transaction()), environment: "Sandbox"));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongEnvironment, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_RefundTransactionOfAnotherBundle_WrongBundle()
    {
        var signedPayload = TestJws.Sign(_apple, TestJws.Notification("REFUND", TestJws.Sign(_apple, TestJws.Transaction(bundleId: "com.other.game"))));

        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.WrongBundle, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_RefundWithoutSignedTransaction_Malformed()
    {
        var result = await _verifier.VerifyAsync(TestJws.Sign(_apple, TestJws.Notification("REFUND", null)), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_NoNotificationType_Malformed()
    {
        var payload = TestJws.Notification("REFUND", TestJws.Sign(_apple, TestJws.Transaction()));
        payload.Remove("notificationType");

        var result = await _verifier.VerifyAsync(TestJws.Sign(_apple, payload), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"signedPayload\":\"x\"}")]
    [InlineData("a.b.c")]
    public async Task VerifyAsync_MalformedPayload_Malformed(string signedPayload)
    {
        var result = await _verifier.VerifyAsync(signedPayload, CancellationToken.None);

        Assert.Equal(VerificationVerdict.Malformed, result.Verdict);
    }

    [Fact]
    public async Task VerifyAsync_SummaryNotificationWithoutData_ValidWithoutRefund()
    {
        var payload = new Dictionary<string, object?>
        {
            ["notificationType"] = "RENEWAL_EXTENSION",
            ["subtype"] = "SUMMARY",
            ["notificationUUID"] = "uuid-summary",
            ["summary"] = new Dictionary<string, object?> { ["bundleId"] = TestJws.BundleId },
            ["signedDate"] = TestJws.SignedAt.ToUnixTimeMilliseconds(),
        };

        var result = await _verifier.VerifyAsync(TestJws.Sign(_apple, payload), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Null(result.Refund);
    }
}
