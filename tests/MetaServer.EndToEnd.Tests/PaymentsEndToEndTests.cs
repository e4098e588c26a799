using System.Net;
using System.Net.Http.Json;
using MetaServer.Cli;
using MetaServer.Client;
using MetaServer.Payments.Verification;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;
using StorePurchase = MetaServer.Payments.Verification.PurchaseStore;
using WireStore = MetaServer.Protocol.V1.PurchaseStore;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// Real-money purchases through the all-in-one host over a real WebSocket: redeem → payments → accounts → reply, and a
/// refund through the App Store notification endpoint clawing it back. The store verifiers are fakes registered by the
/// test (receipt <c>jws:&lt;transaction id&gt;:&lt;product id&gt;</c>, notification payload <c>refund:&lt;transaction id&gt;</c>).
/// </summary>
public sealed class PaymentsEndToEndTests
{
    private const string GemsSmall = "com.example.metaserver.gems.small";

    [Fact]
    public async Task Redeem_NoStoreVerifierConfigured_AnswersUnavailableNotConfigured()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.LoginDeviceAsync("device-e2e-redeem-unconfigured").WithTimeout("login");

        var refused = await Assert.ThrowsAsync<MetaServerRequestException>(
            () => client.RedeemPurchaseAsync(WireStore.GooglePlay, "some-token", "gems_small").WithTimeout("redeem"));

        Assert.Equal(ResultCode.Unavailable, refused.Code);
        Assert.Contains("Google Play is not configured", refused.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redeem_ThenReplayThenRefund_GrantsOnceRefusesOtherAccountAndClawsBack()
    {
        await using var host = await AllInOneHost.StartAsync(configure: builder =>
        {
            builder.Services.AddSingleton<IPurchaseVerifier, FakeAppStoreVerifier>();
            builder.Services.AddSingleton<IAppStoreNotificationVerifier, FakeAppStoreVerifier>();
        });
        await using var buyer = await host.ConnectAsync();
        await using var other = await host.ConnectAsync();
        var login = await buyer.LoginDeviceAsync("device-e2e-redeem-buyer").WithTimeout("buyer login");
        await other.LoginDeviceAsync("device-e2e-redeem-other").WithTimeout("other login");
        var gemsBefore = login.Account.Wallet.GetValueOrDefault("gems");

        var redeemed = await buyer.RedeemPurchaseAsync(WireStore.AppStore, $"jws:7001:{GemsSmall}").WithTimeout("redeem");
        var replay = await buyer.RedeemPurchaseAsync(WireStore.AppStore, $"jws:7001:{GemsSmall}").WithTimeout("replay");
        var stolen = await Assert.ThrowsAsync<MetaServerRequestException>(
            () => other.RedeemPurchaseAsync(WireStore.AppStore, $"jws:7001:{GemsSmall}").WithTimeout("other account"));

        Assert.Equal(PurchaseVerdict.ValidGranted, redeemed.Verdict);
        Assert.Equal("iap.gems-small", redeemed.OfferId);
        Assert.Equal(gemsBefore + 100, redeemed.Account.Wallet["gems"]);
        Assert.Equal(PurchaseVerdict.AlreadyRedeemed, replay.Verdict);
        Assert.Equal(gemsBefore + 100, replay.Account.Wallet["gems"]);
        Assert.Equal(ResultCode.PurchaseRedeemedByAnotherAccount, stolen.Code);

        using var http = new HttpClient { BaseAddress = host.BaseUri };
        var bad = await http.PostAsJsonAsync("/payments/app-store/notifications", new { signedPayload = "forged" }).WithTimeout("forged notification");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var refund = await http.PostAsJsonAsync("/payments/app-store/notifications", new { signedPayload = "refund:7001" }).WithTimeout("refund notification");
        Assert.Equal(HttpStatusCode.OK, refund.StatusCode);

        var after = await NextAccountUpdateAsync(buyer).WithTimeout("clawback pushed", TimeSpan.FromSeconds(30));
        Assert.Equal(gemsBefore, after.Wallet["gems"]);
        var again = await Assert.ThrowsAsync<MetaServerRequestException>(
            () => buyer.RedeemPurchaseAsync(WireStore.AppStore, $"jws:7001:{GemsSmall}").WithTimeout("redeem after refund"));
        Assert.Equal(ResultCode.PurchaseRefunded, again.Code);
    }

    [Fact]
    public async Task CliRedeem_ThenRetry_PrintsGrantOnceThenAlreadyRedeemed()
    {
        await using var host = await AllInOneHost.StartAsync(configure: builder => builder.Services.AddSingleton<IPurchaseVerifier, FakeAppStoreVerifier>());
        var url = host.WebSocketUri.ToString();
        var tokenFile = Path.Combine(host.DataDir, "cli-session.json");
        using var error = new StringWriter();
        using var loginOut = new StringWriter();
        using var firstOut = new StringWriter();
        using var retryOut = new StringWriter();
        using var unconfiguredOut = new StringWriter();
        string[] redeem = ["redeem", "--store", "apple", "--receipt", $"jws:7100:{GemsSmall}", "--url", url, "--token-file", tokenFile];

        Assert.Equal(CliApp.ExitOk, await CliApp.RunAsync(["login", "--device", "cli-e2e-redeem", "--url", url, "--token-file", tokenFile], loginOut, error).WithTimeout("cli login"));
        var first = await CliApp.RunAsync(redeem, firstOut, error).WithTimeout("cli redeem");
        var retry = await CliApp.RunAsync(redeem, retryOut, error).WithTimeout("cli redeem retry");
        var unconfigured = await CliApp.RunAsync(
            ["redeem", "--store", "google", "--receipt", "token", "--product", "gems_small", "--url", url, "--token-file", tokenFile], unconfiguredOut, error).WithTimeout("cli redeem google");

        Assert.True(first == CliApp.ExitOk, $"exit {first}\n{firstOut}\n{error}");
        Assert.Contains("redeem: OK, granted (offer iap.gems-small, transaction 7100)", firstOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("Granted: 100 gems", firstOut.ToString(), StringComparison.Ordinal);
        Assert.Equal(CliApp.ExitOk, retry);
        Assert.Contains("already redeemed by this account", retryOut.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(CliApp.ExitOk, unconfigured);
        Assert.Contains("Google Play is not configured", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<AccountSnapshot> NextAccountUpdateAsync(MetaServerClient client)
    {
        while (await client.Events.WaitToReadAsync())
        {
            while (client.Events.TryRead(out var envelope))
            {
                if (envelope.PayloadCase == Envelope.PayloadOneofCase.AccountUpdated)
                {
                    return envelope.AccountUpdated.Account;
                }
            }
        }

        throw new InvalidOperationException("The connection closed before an account update arrived.");
    }

    /// <summary>A stand-in for the App Store verifiers: trusts receipts and notifications of the test's own shape.</summary>
    private sealed class FakeAppStoreVerifier : IPurchaseVerifier, IAppStoreNotificationVerifier
    {
        public StorePurchase Store => StorePurchase.AppStore;

        public ValueTask<PurchaseVerification> VerifyAsync(PurchaseProof proof, CancellationToken cancellationToken)
        {
            var parts = proof.Receipt.Split(':');
            return ValueTask.FromResult(parts is ["jws", var id, var product]
                ? PurchaseVerification.Accepted(new VerifiedPurchase(StorePurchase.AppStore, id, product, 1, DateTimeOffset.UnixEpoch, "Production", null, null))
                : PurchaseVerification.Rejected(VerificationVerdict.Malformed, "not a test receipt"));
        }

        public ValueTask CompleteAsync(VerifiedPurchase purchase, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<AppStoreNotification> VerifyAsync(string signedPayload, CancellationToken cancellationToken) =>
            ValueTask.FromResult(signedPayload.StartsWith("refund:", StringComparison.Ordinal)
                ? new AppStoreNotification(
                    VerificationVerdict.Valid, "ok", Guid.NewGuid().ToString(), "REFUND", null,
                    new StoreRefund(StorePurchase.AppStore, signedPayload["refund:".Length..], StoreRefundKind.Refund, DateTimeOffset.UnixEpoch, "notification"))
                : new AppStoreNotification(VerificationVerdict.InvalidSignature, "not a test notification", null, null, null, null));
    }
}
