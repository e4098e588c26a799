using System.Net;
using System.Net.Http.Json;
using MetaServer.Client;
using MetaServer.Payments.Service;
using MetaServer.Payments.AppStore.Tests;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using WireStore = MetaServer.Protocol.V1.PurchaseStore;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// The real App Store verifier in the all-in-one host, configured (MetaServer:Payments:AppStore) with a root CA made by
/// the test: a StoreKit 2 transaction signed by the test chain is redeemed over a WebSocket, a forged one is refused,
/// and a signed REFUND notification claws the grant back.
/// </summary>
public sealed class AppStoreEndToEndTests
{
    private const string GemsSmall = "com.example.metaserver.gems.small";

    [Fact]
    public async Task Redeem_SignedTestTransaction_GrantsThenSignedRefundClawsBack()
    {
        using var apple = TestCertificates.Create("E2E Apple");
        using var forger = TestCertificates.Create("E2E Forger");
        await using var host = await AllInOneHost.StartAsync(
            extraArgs:
            [
                "--MetaServer:Payments:AppStore:BundleId=" + TestJws.BundleId,
                "--MetaServer:Payments:AppStore:Environment=Production",
                "--MetaServer:Payments:AppStore:RootCertificateBase64=" + Convert.ToBase64String(apple.Root.RawData),
            ]);
        await using var buyer = await host.ConnectAsync();
        var login = await buyer.LoginDeviceAsync("device-e2e-appstore-buyer").WithTimeout("login");
        var gemsBefore = login.Account.Wallet.GetValueOrDefault("gems");
        var binding = AccountBindings.TokenFor(login.Account.AccountId);

        var forged = await Assert.ThrowsAsync<MetaServerRequestException>(() => buyer.RedeemPurchaseAsync(
            WireStore.AppStore, TestJws.Sign(forger, TestJws.Transaction(transactionId: "9100", productId: GemsSmall, appAccountToken: binding))).WithTimeout("forged redeem"));
        var redeemed = await buyer.RedeemPurchaseAsync(
            WireStore.AppStore, TestJws.Sign(apple, TestJws.Transaction(transactionId: "9100", productId: GemsSmall, appAccountToken: binding))).WithTimeout("redeem");

        Assert.Equal(ResultCode.PurchaseRejected, forged.Code);
        Assert.Equal(PurchaseVerdict.ValidGranted, redeemed.Verdict);
        Assert.Equal("iap.gems-small", redeemed.OfferId);
        Assert.Equal(gemsBefore + 100, redeemed.Account.Wallet["gems"]);
        var snapshot = await buyer.GetAccountAsync().WithTimeout("account");
        Assert.Equal(gemsBefore + 100, snapshot.Account.Wallet["gems"]);

        var refundTransaction = TestJws.Sign(apple, TestJws.Transaction(transactionId: "9100", productId: GemsSmall, revokedAt: TestJws.SignedAt.AddDays(1)));
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        var refund = await http.PostAsJsonAsync(
            "/payments/app-store/notifications",
            new { signedPayload = TestJws.Sign(apple, TestJws.Notification("REFUND", refundTransaction, uuid: "e2e-refund-9100")) }).WithTimeout("refund notification");
        Assert.Equal(HttpStatusCode.OK, refund.StatusCode);

        var after = await AccountUpdateAsync(buyer, a => a.Wallet.GetValueOrDefault("gems") == gemsBefore).WithTimeout("clawback pushed");
        Assert.Equal(gemsBefore, after.Wallet["gems"]);
    }

    /// <summary>The first pushed account update that satisfies <paramref name="wanted"/> (earlier pushes, e.g. of the grant, are skipped).</summary>
    private static async Task<AccountSnapshot> AccountUpdateAsync(MetaServerClient client, Func<AccountSnapshot, bool> wanted)
    {
        while (await client.Events.WaitToReadAsync())
        {
            while (client.Events.TryRead(out var envelope))
            {
                if (envelope.PayloadCase == Envelope.PayloadOneofCase.AccountUpdated && wanted(envelope.AccountUpdated.Account))
                {
                    return envelope.AccountUpdated.Account;
                }
            }
        }

        throw new InvalidOperationException("The connection closed before an account update arrived.");
    }
}
