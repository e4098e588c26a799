using System.Collections.Immutable;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.GameConfig;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Tests;

/// <summary>The pure account rules on the tests' game config.</summary>
public sealed class EconomyRulesTests
{
    private static readonly GameConfig.GameConfig Config = TestGameConfig.Instance;

    private static Account Starter() => AccountRules.WithStartingGrant(TestAccounts.New("device-1"), Config);

    private static Account Applied(MutationOutcome outcome) => Assert.IsType<MutationOutcome.Applied>(outcome).Account;

    private static MutationOutcome.Refused Refused(MutationOutcome outcome, ResultCode code)
    {
        var refused = Assert.IsType<MutationOutcome.Refused>(outcome);
        Assert.Equal(code, refused.Code);
        return refused;
    }

    [Fact]
    public void TryDebit_MoreThanBalance_RefusesWithShortfallAndKeepsWallet()
    {
        var wallet = ImmutableDictionary<string, long>.Empty.Add("gold", 100);

        Assert.False(WalletRules.TryDebit(wallet, "gold", 130, out var after, out var shortfall));

        Assert.Same(wallet, after);
        Assert.Equal(30, shortfall);
    }

    [Fact]
    public void TryDebit_ExactBalance_LeavesZero()
    {
        var wallet = ImmutableDictionary<string, long>.Empty.Add("gold", 100);

        Assert.True(WalletRules.TryDebit(wallet, "gold", 100, out var after, out _));

        Assert.Equal(0, after["gold"]);
    }

    [Fact]
    public void Credit_BeyondMax_CapsAtMaxAndReportsCredited()
    {
        var gems = Config.FindCurrency("gems")!;
        var wallet = ImmutableDictionary<string, long>.Empty.Add("gems", 990);

        var after = WalletRules.Credit(wallet, gems, 50, out var credited);

        Assert.Equal(1000, after["gems"]);
        Assert.Equal(10, credited);
    }

    [Fact]
    public void Add_StackableBeyondMaxStack_CapsAndUniqueItemOnlyOnce()
    {
        var boost = Config.FindItem("boost")!;
        var hero = Config.FindItem("hero.a")!;
        var inventory = ImmutableDictionary<string, int>.Empty.Add("boost", 4).Add("hero.a", 1);

        var afterBoost = InventoryRules.Add(inventory, boost, 3, maxEntries: 20, out var boosts);
        var afterHero = InventoryRules.Add(inventory, hero, 1, maxEntries: 20, out var heroes);

        Assert.Equal(1, boosts);
        Assert.Equal(5, afterBoost["boost"]);
        Assert.Equal(0, heroes);
        Assert.Equal(1, afterHero["hero.a"]);
    }

    [Fact]
    public void Room_NewItemInFullInventory_IsZero()
    {
        var crate = Config.FindItem("crate")!;
        var inventory = ImmutableDictionary<string, int>.Empty.Add("a", 1).Add("b", 1);

        Assert.Equal(0, InventoryRules.Room(inventory, crate, maxEntries: 2));
    }

    [Fact]
    public void WithStartingGrant_NewAccount_GetsConfiguredWalletInventoryAndLoadout()
    {
        var account = Starter();

        Assert.Equal(1000, account.Wallet["gold"]);
        Assert.Equal(50, account.Wallet["gems"]);
        Assert.Equal(2, account.Inventory["boost"]);
        Assert.Equal(1, account.Inventory["hero.a"]);
        Assert.Equal(new AccountLoadout("hero.a", "weapon.p1", "weapon.s1", "weapon.m1", "avatar.a1"), account.Loadout);
        Assert.Equal(1, AccountRules.Level(account, Config));
    }

    [Fact]
    public void Purchase_EnoughGold_DebitsGrantsAndCounts()
    {
        var outcome = Assert.IsType<MutationOutcome.Applied>(AccountRules.Purchase(Starter(), "offer.hero-b", Config));

        Assert.Equal(700, outcome.Account.Wallet["gold"]);
        Assert.Equal(1, outcome.Account.Inventory["hero.b"]);
        Assert.Equal(1, outcome.Account.OfferPurchases["offer.hero-b"]);
        Assert.Equal(1, outcome.Granted.Items["hero.b"]);
    }

    [Fact]
    public void Purchase_NotEnoughGems_InsufficientFundsSayingHowMuchIsMissing()
    {
        var refused = Refused(AccountRules.Purchase(Starter(), "offer.wolf", Config), ResultCode.InsufficientFunds);

        Assert.Equal("You need 350 more gems.", refused.Message);
    }

    [Fact]
    public void Purchase_LimitReached_FailedPrecondition()
    {
        var once = Applied(AccountRules.Purchase(Starter(), "offer.hero-b", Config));

        var refused = Refused(AccountRules.Purchase(once, "offer.hero-b", Config), ResultCode.FailedPrecondition);

        Assert.Equal("You already bought Hero B.", refused.Message);
    }

    [Fact]
    public void Purchase_GrantBeyondMaxStack_RefusedAndNothingCharged()
    {
        var account = Applied(AccountRules.Purchase(Starter(), "offer.boost", Config));
        Assert.Equal(4, account.Inventory["boost"]);

        var refused = Refused(AccountRules.Purchase(account, "offer.boost", Config), ResultCode.FailedPrecondition);

        Assert.Equal("You can hold at most 5 Booster.", refused.Message);
    }

    [Fact]
    public void Purchase_UniqueItemAlreadyOwned_Refused()
    {
        var owner = Starter() with { Inventory = Starter().Inventory.SetItem("weapon.p2", 1) };

        var refused = Refused(AccountRules.Purchase(owner, "offer.smg", Config), ResultCode.FailedPrecondition);

        Assert.Equal("You already own SMG.", refused.Message);
    }

    [Theory]
    [InlineData("offer.retired")]
    [InlineData("offer.unknown")]
    public void Purchase_DisabledOrUnknownOffer_NotFound(string offerId)
    {
        Refused(AccountRules.Purchase(Starter(), offerId, Config), ResultCode.NotFound);
    }

    [Theory]
    [InlineData("ab", ResultCode.InvalidArgument)]
    [InlineData("Bad Name", ResultCode.InvalidArgument)]
    [InlineData("SuperAdmin1", ResultCode.InvalidArgument)]
    [InlineData("Ace_01", ResultCode.Ok)]
    public void SetNickname_ConfigRules_AllowOrRefuse(string nickname, ResultCode expected)
    {
        var outcome = AccountRules.SetNickname(Starter(), nickname, Config);

        if (expected == ResultCode.Ok)
        {
            Assert.Equal(nickname, Applied(outcome).Nickname);
        }
        else
        {
            Refused(outcome, expected);
        }
    }

    [Fact]
    public void SetLoadout_OwnedItemInItsSlot_ChangesOnlyThatSlot()
    {
        var owner = Starter() with { Inventory = Starter().Inventory.SetItem("weapon.p2", 1) };

        var account = Applied(AccountRules.SetLoadout(owner, new AccountLoadout("", "weapon.p2", "", "", ""), Config));

        Assert.Equal(new AccountLoadout("hero.a", "weapon.p2", "weapon.s1", "weapon.m1", "avatar.a1"), account.Loadout);
    }

    [Theory]
    [InlineData("", "weapon.p2", ResultCode.FailedPrecondition)]
    [InlineData("", "weapon.s1", ResultCode.InvalidArgument)]
    [InlineData("weapon.p1", "", ResultCode.InvalidArgument)]
    [InlineData("hero.nope", "", ResultCode.NotFound)]
    [InlineData("", "", ResultCode.InvalidArgument)]
    public void SetLoadout_NotOwnedWrongSlotUnknownOrEmpty_Refused(string hero, string primary, ResultCode expected)
    {
        Refused(AccountRules.SetLoadout(Starter(), new AccountLoadout(hero, primary, "", "", ""), Config), expected);
    }

    [Fact]
    public void ApplyMatchResult_Win_GrantsRewardXpAndProgressesMatchingQuests()
    {
        var stats = new Dictionary<string, long> { ["kills"] = 7, ["objectivesCaptured"] = 2, ["wins"] = 5 };

        var outcome = Assert.IsType<MutationOutcome.Applied>(AccountRules.ApplyMatchResult(Starter(), "tdm", MatchOutcome.Win, stats, Config));

        var account = outcome.Account;
        Assert.Equal(1100, account.Wallet["gold"]);
        Assert.Equal(120, account.Xp);
        Assert.Equal(2, AccountRules.Level(account, Config));
        Assert.Equal(1, account.Quests["quest.play-1"].Progress);
        Assert.Equal(7, account.Quests["quest.kills-10"].Progress);
        Assert.False(account.Quests.ContainsKey("quest.capture-3"));
        Assert.Equal(100, outcome.Granted.Currencies["gold"]);
        Assert.Equal(120, outcome.Granted.Xp);
    }

    [Fact]
    public void ApplyMatchResult_ProgressBeyondTarget_CappedAtTarget()
    {
        var stats = new Dictionary<string, long> { ["kills"] = 25 };

        var account = Applied(AccountRules.ApplyMatchResult(Starter(), "domination", MatchOutcome.Loss, stats, Config));

        Assert.Equal(10, account.Quests["quest.kills-10"].Progress);
        Assert.Equal(1000, account.Wallet["gold"]);
    }

    [Fact]
    public void ApplyMatchResult_UnknownGameMode_InvalidArgument()
    {
        Refused(AccountRules.ApplyMatchResult(Starter(), "nope", MatchOutcome.Win, new Dictionary<string, long>(), Config), ResultCode.InvalidArgument);
    }

    [Fact]
    public void ClaimQuest_CompleteOneOff_GrantsOnceThenAlreadyClaimed()
    {
        var played = Applied(AccountRules.ApplyMatchResult(Starter(), "tdm", MatchOutcome.Loss, new Dictionary<string, long>(), Config));

        var claimed = Assert.IsType<MutationOutcome.Applied>(AccountRules.ClaimQuest(played, "quest.play-1", Config));
        var again = AccountRules.ClaimQuest(claimed.Account, "quest.play-1", Config);

        Assert.Equal(1040 + 100, claimed.Account.Wallet["gold"]);
        Assert.Equal(60 + 50, claimed.Account.Xp);
        Assert.True(claimed.Account.Quests["quest.play-1"].Claimed);
        Refused(again, ResultCode.FailedPrecondition);
    }

    [Fact]
    public void ClaimQuest_Repeatable_StartsOver()
    {
        var done = Starter() with { Quests = Starter().Quests.SetItem("quest.kills-10", new QuestProgress(10, false, 0)) };

        var claimed = Applied(AccountRules.ClaimQuest(done, "quest.kills-10", Config));

        Assert.Equal(new QuestProgress(0, false, 1), claimed.Quests["quest.kills-10"]);
        Assert.Equal(55, claimed.Wallet["gems"]);
        Assert.Equal(1, claimed.Inventory["crate"]);
    }

    [Fact]
    public void ClaimQuest_NotComplete_FailedPreconditionWithProgress()
    {
        var refused = Refused(AccountRules.ClaimQuest(Starter(), "quest.kills-10", Config), ResultCode.FailedPrecondition);

        Assert.Contains("(0/10)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClaimDailyReward_ConsecutiveDaysWalkTheCycleAndWrap_MissedDayStartsOver()
    {
        // Reset hour 04:00 UTC: 03:59 still belongs to the previous login day.
        var day1 = new DateTimeOffset(2026, 3, 1, 5, 0, 0, TimeSpan.Zero);
        var account = Starter();
        var golds = new List<long>();
        foreach (var at in new[] { day1, day1.AddHours(23).AddMinutes(2), day1.AddDays(2), day1.AddDays(3), day1.AddDays(5) })
        {
            var outcome = Assert.IsType<MutationOutcome.Applied>(AccountRules.ClaimDailyReward(account, at, Config));
            golds.Add(outcome.Granted.Currencies.GetValueOrDefault("gold"));
            account = outcome.Account;
        }

        // Day 1 (10 gold), 04:02 next day is day 2 (20), day 3 pays gems, day 4 wraps to 10, then a missed day restarts at 10.
        Assert.Equal([10L, 20L, 0L, 10L, 10L], golds);
        Assert.Equal(51, account.Wallet["gems"]);
    }

    [Fact]
    public void ClaimDailyReward_BeforeResetHour_StillThePreviousLoginDay()
    {
        var at = new DateTimeOffset(2026, 3, 1, 5, 0, 0, TimeSpan.Zero);
        var claimed = Applied(AccountRules.ClaimDailyReward(Starter(), at, Config));

        Refused(AccountRules.ClaimDailyReward(claimed, new DateTimeOffset(2026, 3, 2, 3, 59, 0, TimeSpan.Zero), Config), ResultCode.FailedPrecondition);
    }

    [Fact]
    public void ClaimDailyReward_TwiceInOneLoginDay_FailedPreconditionNamingNextReset()
    {
        var at = new DateTimeOffset(2026, 3, 1, 5, 0, 0, TimeSpan.Zero);
        var claimed = Applied(AccountRules.ClaimDailyReward(Starter(), at, Config));

        var refused = Refused(AccountRules.ClaimDailyReward(claimed, at.AddHours(22), Config), ResultCode.FailedPrecondition);

        Assert.Contains("2026-03-02 04:00 UTC", refused.Message, StringComparison.Ordinal);
    }
}
