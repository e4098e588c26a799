namespace MetaServer.GameConfig.Tests;

public sealed class BundledConfigTests
{
    [Fact]
    public void LoadBundled_Sample_HasNoProblems()
    {
        var result = GameConfigLoader.LoadBundled();

        Assert.Empty(result.Problems.Select(p => p.ToString()));
        Assert.True(result.IsValid);
        var config = result.Config!;
        Assert.Equal("2026.11.1", config.Version);
        Assert.Equal(GameConfigLoader.ComputeHash(GameConfigLoader.ReadBundledConfigBytes()), config.Hash);
        Assert.Matches("^[0-9a-f]{16}$", config.Hash);
    }

    [Fact]
    public void LoadBundled_Sample_HasTheContentTheEconomyNeeds()
    {
        var config = GameConfigLoader.LoadBundled().GetConfigOrThrow();

        Assert.Equal(CurrencyKind.Soft, config.FindCurrency("gold")!.Kind);
        Assert.Equal(CurrencyKind.Hard, config.FindCurrency("gems")!.Kind);
        Assert.InRange(config.Items.Count(i => i.Kind == ItemKind.Hero), 4, 6);
        Assert.InRange(config.Items.Count(i => i.Kind == ItemKind.Weapon), 6, 10);
        Assert.Contains(config.Items, i => i.Kind == ItemKind.Stackable);
        Assert.InRange(config.StoreOffers.Length, 6, 12);
        Assert.InRange(config.Quests.Length, 5, 8);
        Assert.Equal(7, config.DailyLogin.Days.Length);
        Assert.Equal(30, config.Levels.MaxLevel);
        Assert.All(config.GameModes, m => Assert.NotNull(config.FindMatchReward(m.Id)));
        Assert.Equal("hero.vanguard", config.Starting.Loadout.HeroId);
        Assert.Equal(ItemKind.Weapon, config.FindItem(config.Starting.Loadout.MeleeWeaponId)!.Kind);
        Assert.Equal(15000, config.FindOffer("offer.hero-specter")!.Price.Amount);
        Assert.Equal("domination", config.FindQuest("quest.capture-10")!.Goal.GameMode);
        Assert.Null(config.FindItem("gold"));
    }
}
