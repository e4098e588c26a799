using MetaServer.Payments.Verification;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using StorePurchase = MetaServer.Payments.Verification.PurchaseStore;
using WireStore = MetaServer.Protocol.V1.PurchaseStore;

namespace MetaServer.Payments.Tests;

public sealed class RedeemFlowTests : IDisposable
{
    private const string GemsSmallApple = "com.example.metaserver.gems.small";
    private const string GemsSmallGoogle = "gems_small";

    private readonly PaymentsHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Redeem_ValidAppStorePurchase_GrantsOfferOnceAndAnswersSnapshot()
    {
        var account = await _h.CreateAccountAsync();

        var reply = await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, $"tx:1000:{GemsSmallApple}"));

        Assert.NotNull(reply);
        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal(PurchaseVerdict.ValidGranted, reply.Redemption.Verdict);
        Assert.Equal("iap.gems-small", reply.Redemption.OfferId);
        Assert.Equal(100, reply.Redemption.Granted.Currencies["gems"]);
        var stored = await _h.AccountAsync(account);
        Assert.Equal(stored.Wallet["gems"], reply.Redemption.Account.Wallet["gems"]);
        Assert.Equal(stored.Revision, reply.Redemption.Account.Revision);
        var entry = await _h.EntryAsync(StorePurchase.AppStore, "1000");
        Assert.Equal(PurchaseLedgerState.Granted, entry!.State);
        Assert.Equal(account, entry.AccountId);
        Assert.False(entry.CompletionPending);
        Assert.Equal(["1000"], _h.Apple.Completed);
    }

    [Fact]
    public async Task Redeem_RetryBySameAccount_AnswersAlreadyRedeemedWithOriginalGrantAndGrantsNothing()
    {
        var account = await _h.CreateAccountAsync();
        await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, $"tx:1001:{GemsSmallApple}"));
        var gems = (await _h.AccountAsync(account)).Wallet["gems"];

        var retry = await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, $"tx:1001:{GemsSmallApple}"));

        Assert.Equal(ResultCode.Ok, retry!.Result.Code);
        Assert.Equal(PurchaseVerdict.AlreadyRedeemed, retry.Redemption.Verdict);
        Assert.Equal(100, retry.Redemption.Granted.Currencies["gems"]);
        Assert.Equal(gems, (await _h.AccountAsync(account)).Wallet["gems"]);
        Assert.Equal(gems, retry.Redemption.Account.Wallet["gems"]);
    }

    [Fact]
    public async Task Redeem_SamePurchaseByAnotherAccount_AnswersRedeemedByAnotherAccount()
    {
        var first = await _h.CreateAccountAsync();
        var second = await _h.CreateAccountAsync();
        await _h.DeliverAsync(_h.Redeem(first, WireStore.AppStore, $"tx:1002:{GemsSmallApple}"));
        var before = (await _h.AccountAsync(second)).Revision;

        var reply = await _h.DeliverAsync(_h.Redeem(second, WireStore.AppStore, $"tx:1002:{GemsSmallApple}"));

        Assert.Equal(ResultCode.PurchaseRedeemedByAnotherAccount, reply!.Result.Code);
        Assert.Equal(PurchaseVerdict.RedeemedByAnotherAccount, reply.Redemption.Verdict);
        Assert.Equal(before, (await _h.AccountAsync(second)).Revision);
        var attempts = await _h.Ledger.GetAccountAttemptsAsync(second, CancellationToken.None);
        Assert.Equal(PurchaseVerdict.RedeemedByAnotherAccount, Assert.Single(attempts).Verdict);
    }

    [Theory]
    [InlineData(VerificationVerdict.Malformed, PurchaseVerdict.Malformed, ResultCode.PurchaseRejected)]
    [InlineData(VerificationVerdict.InvalidSignature, PurchaseVerdict.InvalidSignature, ResultCode.PurchaseRejected)]
    [InlineData(VerificationVerdict.WrongBundle, PurchaseVerdict.WrongBundle, ResultCode.PurchaseRejected)]
    [InlineData(VerificationVerdict.WrongEnvironment, PurchaseVerdict.WrongEnvironment, ResultCode.PurchaseRejected)]
    [InlineData(VerificationVerdict.NotPurchased, PurchaseVerdict.NotPurchased, ResultCode.PurchaseRejected)]
    [InlineData(VerificationVerdict.Refunded, PurchaseVerdict.Refunded, ResultCode.PurchaseRefunded)]
    [InlineData(VerificationVerdict.StoreUnavailable, PurchaseVerdict.StoreUnavailable, ResultCode.Unavailable)]
    public async Task Redeem_RejectedProof_AnswersVerdictRecordsAttemptAndGrantsNothing(VerificationVerdict verification, PurchaseVerdict verdict, ResultCode code)
    {
        var account = await _h.CreateAccountAsync();
        _h.Apple.Verdicts["bad-jws"] = PurchaseVerification.Rejected(verification, "test");

        var reply = await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, "bad-jws"));

        Assert.Equal(code, reply!.Result.Code);
        Assert.Equal(verdict, reply.Redemption.Verdict);
        Assert.False(string.IsNullOrEmpty(reply.Result.Message));
        Assert.Equal(1, (await _h.AccountAsync(account)).Revision);
        Assert.Equal(verdict, Assert.Single(await _h.Ledger.GetAccountAttemptsAsync(account, CancellationToken.None)).Verdict);
    }

    [Fact]
    public async Task Redeem_UnknownProduct_AnswersUnknownProduct()
    {
        var account = await _h.CreateAccountAsync();

        var reply = await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, "tx:1003:com.example.not.sold"));

        Assert.Equal(ResultCode.UnknownProduct, reply!.Result.Code);
        Assert.Equal(PurchaseVerdict.UnknownProduct, reply.Redemption.Verdict);
        Assert.Null(await _h.EntryAsync(StorePurchase.AppStore, "1003"));
    }

    [Fact]
    public async Task Redeem_BindingOfAnotherAccount_AnswersAccountMismatch()
    {
        var account = await _h.CreateAccountAsync();
        var receipt = $"tx:1004:{GemsSmallApple}";
        _h.Apple.Bindings[receipt] = Service.AccountBindings.TokenFor(Guid.NewGuid().ToString("N"));

        var reply = await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, receipt));

        Assert.Equal(ResultCode.PurchaseAccountMismatch, reply!.Result.Code);
        Assert.Equal(PurchaseVerdict.AccountMismatch, reply.Redemption.Verdict);
    }

    [Fact]
    public async Task Redeem_BindingOfThisAccount_Grants()
    {
        var account = await _h.CreateAccountAsync();
        var receipt = $"tx:1005:{GemsSmallApple}";
        _h.Apple.Bindings[receipt] = Service.AccountBindings.TokenFor(account).ToUpperInvariant();

        var reply = await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, receipt));

        Assert.Equal(PurchaseVerdict.ValidGranted, reply!.Redemption.Verdict);
    }

    [Fact]
    public async Task Redeem_StoreNotConfigured_AnswersUnavailableNotConfigured()
    {
        using var harness = new PaymentsHarness(withApple: false);
        var account = await harness.CreateAccountAsync();

        var reply = await harness.DeliverAsync(harness.Redeem(account, WireStore.AppStore, $"tx:1006:{GemsSmallApple}"));

        Assert.Equal(ResultCode.Unavailable, reply!.Result.Code);
        Assert.Equal(PurchaseVerdict.StoreUnavailable, reply.Redemption.Verdict);
        Assert.Contains("not configured", reply.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redeem_GooglePlayWithoutProductId_AnswersMalformed()
    {
        var account = await _h.CreateAccountAsync();

        var reply = await _h.DeliverAsync(_h.Redeem(account, WireStore.GooglePlay, "token-without-product"));

        Assert.Equal(PurchaseVerdict.Malformed, reply!.Redemption.Verdict);
        Assert.Equal(0, _h.Google.VerifyCalls);
    }

    [Fact]
    public async Task Redeem_CrashAfterClaimBeforeGrant_RedeliveryGrantsExactlyOnce()
    {
        var account = await _h.CreateAccountAsync();
        var redeem = _h.Redeem(account, WireStore.AppStore, $"tx:1007:{GemsSmallApple}");
        var gemsBefore = await GemsAfterMigrationAsync(account);

        // The claim is written, then the process dies before the grant command is sent.
        var first = await _h.DeliverAsync(redeem, drop: m => m.Envelope.MessageType == MessageTypes.AccountsGrantPurchase);
        Assert.Null(first);
        Assert.Equal(PurchaseLedgerState.Claimed, (await _h.EntryAsync(StorePurchase.AppStore, "1007"))!.State);

        var second = await _h.DeliverAsync(redeem);

        Assert.Equal(PurchaseVerdict.ValidGranted, second!.Redemption.Verdict);
        Assert.Equal(gemsBefore + 100, (await _h.AccountAsync(account)).Wallet["gems"]);
    }

    [Fact]
    public async Task Redeem_CrashAfterGrantBeforeLedgerUpdate_RedeliveredGrantAppliesOnce()
    {
        var account = await _h.CreateAccountAsync();
        var gemsBefore = await GemsAfterMigrationAsync(account);
        var redeem = _h.Redeem(account, WireStore.AppStore, $"tx:1008:{GemsSmallApple}");

        // Accounts applies the grant, then its answer is lost; the grant command comes back (redelivery).
        await _h.DeliverAsync(redeem, drop: m => m.Envelope.MessageType == MessageTypes.PaymentsPurchaseGranted);
        var lostAnswer = Assert.Single(_h.Undelivered);
        Assert.Equal(PurchaseLedgerState.Claimed, (await _h.EntryAsync(StorePurchase.AppStore, "1008"))!.State);
        Assert.Equal(gemsBefore + 100, (await _h.AccountAsync(account)).Wallet["gems"]);

        var reply = await _h.DeliverAsync(redeem);
        var duplicate = await _h.RedeliverAsync(lostAnswer);

        Assert.Equal(PurchaseVerdict.ValidGranted, reply!.Redemption.Verdict);
        Assert.Equal(PurchaseVerdict.ValidGranted, duplicate!.Redemption.Verdict);
        Assert.Equal(gemsBefore + 100, (await _h.AccountAsync(account)).Wallet["gems"]);
        Assert.Equal(PurchaseLedgerState.Granted, (await _h.EntryAsync(StorePurchase.AppStore, "1008"))!.State);
    }

    [Fact]
    public async Task Redeem_GooglePlayAcknowledgeUnavailable_RetriedUntilTheStoreAnswers()
    {
        var account = await _h.CreateAccountAsync();
        _h.Google.CompleteFailures = 2;
        var token = $"tx:g1:{GemsSmallGoogle}";

        var reply = await _h.DeliverAsync(_h.Redeem(account, WireStore.GooglePlay, token, GemsSmallGoogle), drop: m => m.Envelope.MessageType == MessageTypes.PaymentsCompletePurchase);

        Assert.Equal(PurchaseVerdict.ValidGranted, reply!.Redemption.Verdict);
        Assert.True((await _h.EntryAsync(StorePurchase.GooglePlay, token))!.CompletionPending);
        var retry = Assert.Single(_h.Undelivered);

        // Still unavailable: the handler throws, so the queue redelivers the command later.
        await Assert.ThrowsAsync<StoreUnavailableException>(() => _h.RedeliverAsync(retry));
        Assert.Empty(_h.Google.Completed);
        await _h.RedeliverAsync(retry);

        Assert.Equal([token], _h.Google.Completed);
        Assert.False((await _h.EntryAsync(StorePurchase.GooglePlay, token))!.CompletionPending);
    }

    [Fact]
    public async Task Redeem_GooglePlayReplay_IsAnsweredFromTheLedgerWithoutAskingGoogle()
    {
        var account = await _h.CreateAccountAsync();
        var token = $"tx:g2:{GemsSmallGoogle}";
        await _h.DeliverAsync(_h.Redeem(account, WireStore.GooglePlay, token, GemsSmallGoogle));
        var other = await _h.CreateAccountAsync();

        var replay = await _h.DeliverAsync(_h.Redeem(other, WireStore.GooglePlay, token, GemsSmallGoogle));

        Assert.Equal(PurchaseVerdict.RedeemedByAnotherAccount, replay!.Redemption.Verdict);
        Assert.Equal(1, _h.Google.VerifyCalls);
    }

    [Fact]
    public async Task Redeem_WalletWouldPassMax_AnswersGrantRefusedAndKeepsTheClaimForARetry()
    {
        var account = await _h.CreateAccountAsync();
        await GemsAfterMigrationAsync(account);
        var max = _h.Config.FindCurrency("gems")!.Max;
        await _h.SetBalanceAsync(account, "gems", max - 10);
        var redeem = _h.Redeem(account, WireStore.AppStore, $"tx:1009:{GemsSmallApple}");

        var refused = await _h.DeliverAsync(redeem);

        Assert.Equal(ResultCode.FailedPrecondition, refused!.Result.Code);
        Assert.Equal(PurchaseVerdict.GrantRefused, refused.Redemption.Verdict);
        Assert.Equal(PurchaseLedgerState.Claimed, (await _h.EntryAsync(StorePurchase.AppStore, "1009"))!.State);

        await _h.SetBalanceAsync(account, "gems", 0);
        var retried = await _h.DeliverAsync(_h.Redeem(account, WireStore.AppStore, $"tx:1009:{GemsSmallApple}"));

        Assert.Equal(PurchaseVerdict.ValidGranted, retried!.Redemption.Verdict);
        Assert.Equal(100, (await _h.AccountAsync(account)).Wallet["gems"]);
    }

    /// <summary>Applies the lazy starting-economy migration (as the first mutation would) and returns the gems balance.</summary>
    private async Task<long> GemsAfterMigrationAsync(string accountId)
    {
        var account = await _h.AccountAsync(accountId);
        if (account.SchemaVersion == 1)
        {
            var migrated = Accounts.Economy.AccountRules.WithStartingGrant(account, _h.Config) with { SchemaVersion = Accounts.Domain.Account.CurrentSchemaVersion };
            Assert.True((await _h.Accounts.TryUpdateAsync(migrated, account.Revision, CancellationToken.None)).Succeeded);
            account = await _h.AccountAsync(accountId);
        }

        return account.Wallet.GetValueOrDefault("gems");
    }
}
