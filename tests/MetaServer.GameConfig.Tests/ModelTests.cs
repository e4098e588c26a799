namespace MetaServer.GameConfig.Tests;

public sealed class ModelTests
{
    private readonly GameConfig _config = GameConfigLoader.LoadBundled().GetConfigOrThrow();

    [Theory]
    [InlineData(0, 1)]
    [InlineData(499, 1)]
    [InlineData(500, 2)]
    [InlineData(1099, 2)]
    [InlineData(1100, 3)]
    [InlineData(55099, 29)]
    [InlineData(55100, 30)]
    [InlineData(long.MaxValue, 30)]
    public void LevelForXp_BundledCurve_CountsReachedThresholds(long xp, int level)
    {
        Assert.Equal(level, _config.Levels.LevelForXp(xp));
    }

    [Fact]
    public void XpForLevel_IsTheInverseOfLevelForXp()
    {
        for (var level = 1; level <= _config.Levels.MaxLevel; level++)
        {
            var xp = _config.Levels.XpForLevel(level);
            Assert.Equal(level, _config.Levels.LevelForXp(xp));
            if (level > 1)
            {
                Assert.Equal(level - 1, _config.Levels.LevelForXp(xp - 1));
            }
        }
    }

    [Theory]
    [InlineData("Sniper_42", null)]
    [InlineData("ab", "at least 3")]
    [InlineData("ThisNameIsWayTooLong", "at most 16")]
    [InlineData("bad name", "allowed characters")]
    [InlineData("xXAdMiNXx", "not allowed")]
    public void CheckNickname_AppliesTheLimits(string nickname, string? reason)
    {
        var result = _config.CheckNickname(nickname);

        if (reason is null)
        {
            Assert.Null(result);
        }
        else
        {
            Assert.Contains(reason, result, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DailyLogin_CycleRepeatsAndDaysStartAtTheResetHour()
    {
        var daily = _config.DailyLogin with { ResetHourUtc = 5 };

        Assert.Same(daily.Days[0], daily.RewardForStreakDay(7));
        Assert.Same(daily.Days[6], daily.RewardForStreakDay(13));
        Assert.Equal(new DateOnly(2026, 11, 21), daily.LoginDayOf(new DateTimeOffset(2026, 11, 22, 4, 59, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 11, 22), daily.LoginDayOf(new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void MatchReward_ForOutcome_PicksTheReward()
    {
        var rewards = _config.FindMatchReward("team-deathmatch")!;

        Assert.Equal(120, rewards.For(MatchOutcome.Win).Xp);
        Assert.Equal(60, rewards.For(MatchOutcome.Loss).Xp);
        Assert.Equal(90, rewards.For(MatchOutcome.Draw).Xp);
    }

    [Fact]
    public void Reward_MissingLists_AreEmptyNotDefault()
    {
        var offer = _config.FindOffer("offer.gold-pile")!;

        Assert.False(offer.Grants.Items.IsDefault);
        Assert.Empty(offer.Grants.Items);
        Assert.Equal(new CurrencyAmount("gold", 5000), Assert.Single(offer.Grants.Currencies));
        Assert.True(new Reward(default, default).IsEmpty);
    }

    [Fact]
    public void Offers_DefaultsApplyWhenLeftOut()
    {
        Assert.Null(_config.FindOffer("offer.gold-pile")!.LimitPerAccount);
        Assert.False(_config.FindOffer("offer.golden-wolf-launch")!.Enabled);
        Assert.Equal(1, _config.FindItem("hero.specter")!.MaxStack);
        Assert.Equal(99, _config.FindItem("boost.xp-2x-1h")!.MaxStack);
        Assert.Null(_config.FindQuest("quest.win-3")!.Goal.GameMode);
    }

    [Fact]
    public void Equals_SameBytes_AreEqual()
    {
        var other = GameConfigLoader.LoadBundled().GetConfigOrThrow();

        Assert.Equal(_config, other);
        Assert.Equal(_config.GetHashCode(), other.GetHashCode());
    }
}
