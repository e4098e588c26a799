using System.Collections.Immutable;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.GameConfig;

namespace MetaServer.Payments.Tests;

/// <summary>The accounts rules of real-money purchases (grant strictly, claw back once).</summary>
public sealed class PurchaseRulesTests
{
    private static readonly GameConfig.GameConfig Config = GameConfigLoader.LoadBundled().Config!;
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Revoke_EquippedHeroGranted_RemovesItUnequipsToStartingHeroAndFlagsNothing()
    {
        var reward = new Reward([], [new ItemAmount("hero.specter", 1)]);
        var account = Migrated();
        var granted = Applied(PurchaseRules.Grant(account, "apple:1", "iap.test", reward, Config, Now));
        var equipped = granted with { Loadout = granted.Loadout! with { Hero = "hero.specter" } };

        var revoked = Applied(PurchaseRules.Revoke(equipped, "apple:1", ClawbackMode.FlagAccount, Config, Now));

        Assert.False(revoked.Inventory.ContainsKey("hero.specter"));
        Assert.Equal(Config.Starting.Loadout.HeroId, revoked.Loadout!.Hero);
        Assert.False(revoked.PaymentFlagged);
        Assert.Equal(AccountPurchaseState.Revoked, revoked.Purchases["apple:1"].State);
    }

    [Fact]
    public void Revoke_ItemsNoLongerHeld_AreAShortfallThatFlagsTheAccountUnderEitherPolicy()
    {
        var reward = new Reward([], [new ItemAmount("crate.supply", 5)]);
        var granted = Applied(PurchaseRules.Grant(Migrated(), "google:t", "iap.test", reward, Config, Now));
        var opened = granted with { Inventory = granted.Inventory.SetItem("crate.supply", 2) };

        var revoked = Applied(PurchaseRules.Revoke(opened, "google:t", ClawbackMode.AllowNegativeBalance, Config, Now));

        Assert.False(revoked.Inventory.ContainsKey("crate.supply"));
        Assert.True(revoked.PaymentFlagged);
        Assert.Equal(3, revoked.PaymentShortfall["crate.supply"]);
        Assert.Equal(2, revoked.Purchases["google:t"].Revoked.Items["crate.supply"]);
    }

    [Fact]
    public void Revoke_NeverGranted_RecordsRevokedWithNothingTaken()
    {
        var account = Migrated();

        var revoked = Applied(PurchaseRules.Revoke(account, "apple:2", ClawbackMode.FlagAccount, Config, Now));

        Assert.Equal(account.Wallet, revoked.Wallet);
        Assert.Equal(AccountPurchaseState.Revoked, revoked.Purchases["apple:2"].State);
        Assert.True(revoked.Purchases["apple:2"].Granted.IsEmpty);
    }

    [Fact]
    public void Grant_WalletWouldPassMax_IsRefusedAndChangesNothing()
    {
        var gems = Config.FindCurrency("gems")!;
        var account = Migrated() with { Wallet = ImmutableDictionary<string, long>.Empty.Add("gems", gems.Max) };

        var outcome = PurchaseRules.Grant(account, "apple:3", "iap.test", new Reward([new CurrencyAmount("gems", 1)], []), Config, Now);

        var refused = Assert.IsType<MutationOutcome.Refused>(outcome);
        Assert.Equal(Protocol.V1.ResultCode.FailedPrecondition, refused.Code);
    }

    private static Account Migrated() => AccountRules.WithStartingGrant(
        new Account
        {
            AccountId = Guid.NewGuid().ToString("N"),
            Revision = 1,
            SchemaVersion = Account.CurrentSchemaVersion,
            Nickname = "P",
            CreatedAt = Now,
            DeviceIds = ["d"],
        },
        Config);

    private static Account Applied(MutationOutcome outcome) => Assert.IsType<MutationOutcome.Applied>(outcome).Account;
}
