using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using StorePurchase = MetaServer.Payments.Verification.PurchaseStore;
using WireStore = MetaServer.Protocol.V1.PurchaseStore;

namespace MetaServer.Payments.Tests;

public sealed class RefundFlowTests
{
    private const string GemsSmallApple = "com.example.metaserver.gems.small";
    private const string StarterApple = "com.example.metaserver.starter";

    [Fact]
    public async Task Refund_GrantedPurchaseNothingSpent_TakesBackTheGrantOnce()
    {
        using var h = new PaymentsHarness();
        var account = await h.CreateAccountAsync();
        await h.DeliverAsync(h.Redeem(account, WireStore.AppStore, $"tx:2000:{GemsSmallApple}"));
        var granted = (await h.AccountAsync(account)).Wallet["gems"];

        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2000"));
        var afterFirst = await h.AccountAsync(account);
        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2000"));

        Assert.Equal(granted - 100, afterFirst.Wallet["gems"]);
        Assert.False(afterFirst.PaymentFlagged);
        Assert.Equal(afterFirst.Revision, (await h.AccountAsync(account)).Revision);
        var entry = await h.EntryAsync(StorePurchase.AppStore, "2000");
        Assert.Equal(PurchaseLedgerState.Refunded, entry!.State);
        Assert.Equal(100, entry.Refund.Revoked.Currencies["gems"]);
        Assert.Empty(entry.Refund.Shortfall);
    }

    [Fact]
    public async Task Refund_SpentCurrencyUnderFlagAccount_FloorsAtZeroFlagsAndRecordsShortfall()
    {
        using var h = new PaymentsHarness(ClawbackPolicyOption.FlagAccount);
        var account = await h.CreateAccountAsync();
        await h.DeliverAsync(h.Redeem(account, WireStore.AppStore, $"tx:2001:{GemsSmallApple}"));
        await h.SetBalanceAsync(account, "gems", 30);

        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2001"));

        var stored = await h.AccountAsync(account);
        Assert.Equal(0, stored.Wallet["gems"]);
        Assert.True(stored.PaymentFlagged);
        Assert.Equal(70, stored.PaymentShortfall["gems"]);
        var entry = await h.EntryAsync(StorePurchase.AppStore, "2001");
        Assert.Equal(PurchaseLedgerState.Refunded, entry!.State);
        Assert.Equal(30, entry.Refund.Revoked.Currencies["gems"]);
        Assert.Equal(70, entry.Refund.Shortfall["gems"]);
    }

    [Fact]
    public async Task Refund_SpentCurrencyUnderAllowNegativeBalance_GoesNegativeWithoutFlag()
    {
        using var h = new PaymentsHarness(ClawbackPolicyOption.AllowNegativeBalance);
        var account = await h.CreateAccountAsync();
        await h.DeliverAsync(h.Redeem(account, WireStore.AppStore, $"tx:2002:{GemsSmallApple}"));
        await h.SetBalanceAsync(account, "gems", 30);

        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2002"));

        var stored = await h.AccountAsync(account);
        Assert.Equal(-70, stored.Wallet["gems"]);
        Assert.False(stored.PaymentFlagged);
        Assert.Empty(stored.PaymentShortfall);
    }

    [Fact]
    public async Task Refund_StarterPackWithItems_RemovesItemsAndCurrencies()
    {
        using var h = new PaymentsHarness();
        var account = await h.CreateAccountAsync();
        await h.DeliverAsync(h.Redeem(account, WireStore.AppStore, $"tx:2003:{StarterApple}"));
        var granted = await h.AccountAsync(account);
        Assert.Equal(5, granted.Inventory["crate.supply"]);

        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2003", StoreRefundKind.Revoke));

        var stored = await h.AccountAsync(account);
        Assert.False(stored.Inventory.ContainsKey("crate.supply"));
        Assert.Equal(granted.Wallet["gold"] - 10000, stored.Wallet["gold"]);
        Assert.Equal(PurchaseLedgerState.Revoked, (await h.EntryAsync(StorePurchase.AppStore, "2003"))!.State);
    }

    [Fact]
    public async Task Refund_BeforeAnyRedemption_IsRecordedAndALaterRedeemIsRefusedAsRefunded()
    {
        using var h = new PaymentsHarness();
        var account = await h.CreateAccountAsync();

        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2004"));
        var reply = await h.DeliverAsync(h.Redeem(account, WireStore.AppStore, $"tx:2004:{GemsSmallApple}"));

        Assert.Equal(ResultCode.PurchaseRefunded, reply!.Result.Code);
        Assert.Equal(PurchaseVerdict.Refunded, reply.Redemption.Verdict);
        Assert.Equal(1, (await h.AccountAsync(account)).Revision);
        Assert.Equal(PurchaseLedgerState.Refunded, (await h.EntryAsync(StorePurchase.AppStore, "2004"))!.State);
    }

    [Fact]
    public async Task Refund_LedgerMovesToRefundedOnlyAfterAccountsConfirms()
    {
        using var h = new PaymentsHarness();
        var account = await h.CreateAccountAsync();
        await h.DeliverAsync(h.Redeem(account, WireStore.AppStore, $"tx:2005:{GemsSmallApple}"));
        var gems = (await h.AccountAsync(account)).Wallet["gems"];

        // The revoke command is lost (crash): the ledger stays REFUND_PENDING and the balance is untouched.
        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2005"), drop: m => m.Envelope.MessageType == MessageTypes.AccountsRevokePurchase);
        Assert.Equal(PurchaseLedgerState.RefundPending, (await h.EntryAsync(StorePurchase.AppStore, "2005"))!.State);
        Assert.Equal(gems, (await h.AccountAsync(account)).Wallet["gems"]);

        // A redeem meanwhile is refused, and the store's next notification finishes the clawback.
        var redeem = await h.DeliverAsync(h.Redeem(account, WireStore.AppStore, $"tx:2005:{GemsSmallApple}"));
        Assert.Equal(PurchaseVerdict.Refunded, redeem!.Redemption.Verdict);
        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2005"));
        // The lost command delivered late changes nothing more.
        await h.RedeliverAsync(Assert.Single(h.Undelivered));

        Assert.Equal(gems - 100, (await h.AccountAsync(account)).Wallet["gems"]);
        Assert.Equal(PurchaseLedgerState.Refunded, (await h.EntryAsync(StorePurchase.AppStore, "2005"))!.State);
    }

    [Fact]
    public async Task Refund_OvertakesTheGrant_GrantIsRefusedAndNothingIsKept()
    {
        using var h = new PaymentsHarness();
        var account = await h.CreateAccountAsync();
        var redeem = h.Redeem(account, WireStore.AppStore, $"tx:2006:{GemsSmallApple}");

        // Claimed, but the grant command is still in flight when the refund arrives.
        await h.DeliverAsync(redeem, drop: m => m.Envelope.MessageType == MessageTypes.AccountsGrantPurchase);
        var grant = Assert.Single(h.Undelivered);
        await h.DeliverAsync(h.Refund(WireStore.AppStore, "2006"));
        var reply = await h.RedeliverAsync(grant);

        Assert.Equal(PurchaseVerdict.Refunded, reply!.Redemption.Verdict);
        var stored = await h.AccountAsync(account);
        Assert.Equal(Accounts.Domain.AccountPurchaseState.Revoked, Assert.Single(stored.Purchases).Value.State);
        Assert.Equal(PurchaseLedgerState.Refunded, (await h.EntryAsync(StorePurchase.AppStore, "2006"))!.State);
        Assert.Equal(0, stored.Wallet.GetValueOrDefault("gems") - (h.Config.Starting.Currencies.FirstOrDefault(c => c.CurrencyId == "gems")?.Amount ?? 0));
    }
}
