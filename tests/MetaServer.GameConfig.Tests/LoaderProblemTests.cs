using System.Text;

namespace MetaServer.GameConfig.Tests;

public sealed class LoaderProblemTests
{
    [Fact]
    public void Parse_MalformedJson_ReportsWhereReadingStopped()
    {
        var text = new ConfigText("{\n  \"version\": \"1\"\n  \"currencies\": []\n}\n");

        var result = text.Parse();

        var problem = Assert.Single(result.Problems);
        Assert.Null(result.Config);
        Assert.Equal((3, 3), (problem.Line, problem.Column));
        Assert.Equal("$", problem.JsonPath);
        Assert.StartsWith("the file is not valid JSON: ", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NegativePrice_ReportsThePriceOnce()
    {
        var text = ConfigText.Sample().Replace("\"currency\": \"gold\", \"amount\": 15000", "\"currency\": \"gold\", \"amount\": -5");

        var result = text.Parse("game-config.json");

        var problem = ProblemAssert.Single(result, "$.storeOffers[0].price.amount", text.PositionOf("-5 }"), "the price must be at least 1 (found -5)");
        Assert.Equal($"game-config.json:{problem.Line}:{problem.Column} $.storeOffers[0].price.amount: the price must be at least 1 (found -5)", problem.ToString());
        Assert.Single(result.Problems);
    }

    [Fact]
    public void Parse_ZeroPrice_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"currency\": \"gems\", \"amount\": 450", "\"currency\": \"gems\", \"amount\": 0");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.storeOffers[1].price.amount", Shift(text.PositionOf("\"amount\": 0 }"), "\"amount\": ".Length), "the price must be at least 1 (found 0)");
    }

    [Fact]
    public void Parse_OfferSellingUnknownItem_ReportsTheItemReference()
    {
        var text = ConfigText.Sample().Replace("{ \"item\": \"hero.specter\", \"quantity\": 1 }", "{ \"item\": \"hero.spectre\", \"quantity\": 1 }");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.storeOffers[0].grants.items[0].item", text.PositionOf("\"hero.spectre\""), "unknown item \"hero.spectre\"");
    }

    [Fact]
    public void Parse_OfferPricedInUnknownCurrency_ReportsThePriceCurrency()
    {
        var text = ConfigText.Sample().Replace("\"currency\": \"gold\", \"amount\": 6000", "\"currency\": \"coins\", \"amount\": 6000");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.storeOffers[4].price.currency", text.PositionOf("\"coins\""), "the price uses an unknown currency \"coins\"");
    }

    [Fact]
    public void Parse_QuestRewardingUnknownCurrency_ReportsTheRewardLine()
    {
        var text = ConfigText.Sample().Replace(
            "\"reward\": { \"currencies\": [{ \"currency\": \"gems\", \"amount\": 10 }], \"xp\": 250 }",
            "\"reward\": { \"currencies\": [{ \"currency\": \"diamonds\", \"amount\": 10 }], \"xp\": 250 }");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.quests[3].reward.currencies[0].currency", text.PositionOf("\"diamonds\""), "the reward uses an unknown currency \"diamonds\"; known currencies: \"gems\", \"gold\"");
    }

    [Fact]
    public void Parse_DuplicateItemId_ReportsTheSecondUse()
    {
        var text = ConfigText.Sample().Replace("\"id\": \"weapon.katana\"", "\"id\": \"weapon.knife-combat\"")
            .Replace("{ \"item\": \"weapon.katana\", \"quantity\": 1 }", "{ \"item\": \"weapon.knife-combat\", \"quantity\": 1 }");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.items[12].id", text.PositionOf("\"weapon.knife-combat\", \"kind\": \"weapon\", \"name\": \"Katana\""), "duplicate item id \"weapon.knife-combat\" (first used at $.items[11])");
        Assert.Single(result.Problems);
    }

    [Fact]
    public void Parse_ItemIdSameAsCurrencyId_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"id\": \"crate.supply\"", "\"id\": \"gems\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.items[15].id", text.PositionOf("\"gems\", \"kind\": \"stackable\""), "the id \"gems\" is already used at $.currencies[1]");
    }

    [Fact]
    public void Parse_DuplicateOfferAndQuestIds_AreProblems()
    {
        var text = ConfigText.Sample().Replace("\"id\": \"offer.hero-medic\"", "\"id\": \"offer.hero-specter\"")
            .Replace("\"id\": \"quest.veteran\"", "\"id\": \"quest.win-3\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.storeOffers[2].id", text.PositionOf("\"offer.hero-specter\",\n      \"name\": \"Field Medic\""), "duplicate store offer id \"offer.hero-specter\"");
        ProblemAssert.Single(result, "$.quests[7].id", text.PositionOf("\"quest.win-3\",\n      \"name\": \"Veteran"), "duplicate quest id \"quest.win-3\"");
    }

    [Fact]
    public void Parse_LoadoutWeaponInWrongSlot_ReportsTheSlot()
    {
        var text = ConfigText.Sample().Replace("\"primary\": \"weapon.ar-standard\"", "\"primary\": \"weapon.pistol-sidearm\"");

        var result = text.Parse();

        ProblemAssert.Single(
            result,
            "$.starting.loadout.primary",
            text.PositionOf("\"weapon.pistol-sidearm\",\n      \"secondary\""),
            "the primary slot needs a weapon with slot \"primary\", but \"weapon.pistol-sidearm\" is a weapon with slot \"secondary\"");
    }

    [Fact]
    public void Parse_LoadoutHeroNotInStartingItems_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"hero\": \"hero.vanguard\"", "\"hero\": \"hero.specter\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.starting.loadout.hero", text.PositionOf("\"hero.specter\",\n      \"primary\""), "\"hero.specter\" is equipped but not in the starting items");
    }

    [Fact]
    public void Parse_LoadoutAvatarIsAWeapon_ReportsTheKind()
    {
        var text = ConfigText.Sample().Replace("\"avatar\": \"avatar.recruit\"", "\"avatar\": \"weapon.knife-combat\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.starting.loadout.avatar", text.PositionOf("\"weapon.knife-combat\"\n"), "the avatar slot needs a cosmetic with slot \"avatar\", but \"weapon.knife-combat\" is a weapon with slot \"melee\"");
    }

    [Fact]
    public void Parse_QuestTargetZero_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"stat\": \"wins\", \"target\": 3", "\"stat\": \"wins\", \"target\": 0");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.quests[1].goal.target", Shift(text.PositionOf("\"target\": 0"), "\"target\": ".Length), "the quest target must be at least 1 (found 0)");
    }

    [Fact]
    public void Parse_UnknownQuestStat_NamesTheKnownStats()
    {
        var text = ConfigText.Sample().Replace("\"stat\": \"headshots\"", "\"stat\": \"headshotz\"");

        var result = text.Parse();

        var problem = ProblemAssert.Single(result, "$.quests[3].goal.stat", text.PositionOf("\"headshotz\""), "\"headshotz\" is not allowed here; use one of ");
        Assert.All(QuestStats.All, stat => Assert.Contains($"\"{stat}\"", problem.Message, StringComparison.Ordinal));
        Assert.Single(result.Problems);
    }

    [Fact]
    public void Parse_QuestForUnknownGameMode_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"target\": 10, \"gameMode\": \"domination\"", "\"target\": 10, \"gameMode\": \"conquest\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.quests[5].goal.gameMode", text.PositionOf("\"conquest\""), "unknown game mode \"conquest\"");
    }

    [Fact]
    public void Parse_MatchRewardForUnknownGameMode_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"gameMode\": \"duel\"", "\"gameMode\": \"duels\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.matchRewards[3].gameMode", text.PositionOf("\"duels\""), "unknown game mode \"duels\"; known game modes: \"domination\", \"duel\"");
    }

    [Fact]
    public void Parse_LevelCurveNotIncreasing_ReportsTheLevel()
    {
        var text = ConfigText.Sample().Replace("500, 1100, 1800", "500, 1100, 1100");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.levels.xpToReachLevel[2]", Shift(text.PositionOf("1100, 1100"), "1100, ".Length), "the XP to reach level 4 (1100) must be more than the XP to reach level 3 (1100)");
    }

    [Fact]
    public void Parse_InvalidNicknamePattern_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"[A-Za-z0-9_]+\"", "\"[A-Za-z0-9_+\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.limits.nicknameAllowedPattern", text.PositionOf("\"[A-Za-z0-9_+\""), "the nickname pattern is not a valid .NET regular expression");
    }

    [Fact]
    public void Parse_NicknameMinAboveMax_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"nicknameMinLength\": 3", "\"nicknameMinLength\": 20");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.limits.nicknameMinLength", text.PositionOf("20,"), "the shortest nickname (20) is longer than the longest nickname (16)");
    }

    [Fact]
    public void Parse_UniqueItemGrantedTwice_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("{ \"item\": \"weapon.smg-viper\", \"quantity\": 1 }", "{ \"item\": \"weapon.smg-viper\", \"quantity\": 2 }");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.storeOffers[4].grants.items[0].quantity", text.PositionOf("2 }] },"), "owned at most once, so the quantity must be 1 (found 2)");
    }

    [Fact]
    public void Parse_WeaponWithoutSlot_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"name\": \"Katana\", \"slot\": \"melee\"", "\"name\": \"Katana\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.items[12]", text.PositionOf("{ \"id\": \"weapon.katana\""), "a weapon needs a slot");
    }

    [Fact]
    public void Parse_UnknownProperty_PointsAtTheNameAndSuggestsTheClosest()
    {
        var text = ConfigText.Sample().Replace("\"limitPerAccount\": 1,\n      \"enabled\": true\n    },\n    {\n      \"id\": \"offer.hero-bulwark\"", "\"limitPerAcount\": 1,\n      \"enabled\": true\n    },\n    {\n      \"id\": \"offer.hero-bulwark\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.storeOffers[0].limitPerAcount", text.PositionOf("\"limitPerAcount\""), "unknown property \"limitPerAcount\"; did you mean \"limitPerAccount\"?");
    }

    [Fact]
    public void Parse_WrongType_SaysWhatIsExpectedInPlainWords()
    {
        var text = ConfigText.Sample().Replace("\"max\": 1000000 }", "\"max\": \"lots\" }");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.currencies[1].max", text.PositionOf("\"lots\""), "the maximum balance must be a whole number, but it is the text \"lots\"");
    }

    [Fact]
    public void Parse_UnknownEnumValue_ListsTheChoices()
    {
        var text = ConfigText.Sample().Replace("{ \"id\": \"hero.ronin\", \"kind\": \"hero\"", "{ \"id\": \"hero.ronin\", \"kind\": \"legend\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.items[4].kind", text.PositionOf("\"legend\""), "\"legend\" is not allowed here; use one of \"hero\", \"weapon\", \"stackable\", \"cosmetic\"");
        Assert.Single(result.Problems);
    }

    [Fact]
    public void Parse_MissingRequiredProperty_PointsAtTheObject()
    {
        var text = ConfigText.Sample().Replace("{ \"id\": \"weapon.smg-viper\", \"kind\": \"weapon\", \"name\": \"Viper SMG\", \"slot\": \"primary\" }", "{ \"id\": \"weapon.smg-viper\", \"kind\": \"weapon\", \"slot\": \"primary\" }");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.items[6]", text.PositionOf("{ \"id\": \"weapon.smg-viper\""), "the required property \"name\" is missing");
        Assert.Single(result.Problems);
    }

    [Fact]
    public void Parse_PropertyTwiceInOneObject_IsAProblem()
    {
        var text = ConfigText.Sample().Replace("\"version\": \"2026.11.1\",", "\"version\": \"2026.11.1\",\n  \"version\": \"2026.11.2\",");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.version", text.PositionOf("\"version\": \"2026.11.2\""), "the property \"version\" appears more than once in this object");
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOneInFileOrder()
    {
        var text = ConfigText.Sample()
            .Replace("\"max\": 1000000 }", "\"max\": \"lots\" }")
            .Replace("{ \"item\": \"hero.specter\", \"quantity\": 1 }", "{ \"item\": \"hero.spectre\", \"quantity\": 1 }")
            .Replace("\"currency\": \"gems\", \"amount\": 450", "\"currency\": \"gems\", \"amount\": -1")
            .Replace("\"stat\": \"headshots\"", "\"stat\": \"headshotz\"")
            .Replace("\"currency\": \"gems\", \"amount\": 10 }", "\"currency\": \"diamonds\", \"amount\": 10 }")
            .Replace("\"gameMode\": \"duel\"", "\"gameMode\": \"duels\"")
            .Replace("\"nicknameMinLength\": 3", "\"nicknameMinLength\": 20");

        var result = text.Parse();

        Assert.Null(result.Config);
        Assert.Equal(
            [
                "$.currencies[1].max",
                "$.storeOffers[0].grants.items[0].item",
                "$.storeOffers[1].price.amount",
                "$.quests[3].goal.stat",
                "$.quests[3].reward.currencies[0].currency",
                "$.matchRewards[3].gameMode",
                "$.limits.nicknameMinLength",
            ],
            result.Problems.Select(p => p.JsonPath));
        Assert.Equal(result.Problems.OrderBy(p => p.Line).ThenBy(p => p.Column), result.Problems);
    }

    [Fact]
    public void Parse_NonAsciiBeforeAProblem_CountsColumnsInCharacters()
    {
        var text = ConfigText.Sample().Replace("\"name\": \"Katana\", \"slot\": \"melee\"", "\"name\": \"Katana 刀\", \"slot\": \"melée\"");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.items[12].slot", text.PositionOf("\"melée\""), "\"melée\" is not allowed here");
    }

    [Fact]
    public void Parse_ByteOrderMark_IsAcceptedAndPartOfTheHash()
    {
        var bytes = GameConfigLoader.ReadBundledConfigBytes();
        var withBom = (byte[])[0xEF, 0xBB, 0xBF, .. bytes];

        var plain = GameConfigLoader.Parse(bytes, "a.json").GetConfigOrThrow();
        var bom = GameConfigLoader.Parse(withBom, "b.json").GetConfigOrThrow();

        Assert.NotEqual(plain.Hash, bom.Hash);
        Assert.Equal(plain.Version, bom.Version);
    }

    [Fact]
    public void Parse_ChangedBytes_ChangeTheHash()
    {
        var original = GameConfigLoader.LoadBundled().GetConfigOrThrow();
        var edited = ConfigText.Sample().Replace("\"amount\": 15000", "\"amount\": 14000").Parse().GetConfigOrThrow();

        Assert.NotEqual(original.Hash, edited.Hash);
        Assert.Equal(14000, edited.FindOffer("offer.hero-specter")!.Price.Amount);
    }

    [Fact]
    public void Parse_NumberTooLargeForTheModel_IsAProblemAtItsPath()
    {
        var text = ConfigText.Sample().Replace("\"max\": 1000000 }", "\"max\": 1e25 }");

        var result = text.Parse();

        ProblemAssert.Single(result, "$.currencies[1].max", text.PositionOf("1e25"), "this value cannot be used");
    }

    [Fact]
    public void Parse_NotAnObject_IsAProblem()
    {
        var result = GameConfigLoader.Parse(Encoding.UTF8.GetBytes("[1, 2]"), "x.json");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(("$", 1, 1), (problem.JsonPath, problem.Line, problem.Column));
        Assert.Contains("must be an object", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetConfigOrThrow_Invalid_ThrowsWithEveryProblem()
    {
        var result = ConfigText.Sample()
            .Replace("\"stat\": \"headshots\"", "\"stat\": \"headshotz\"")
            .Replace("\"gameMode\": \"duel\"", "\"gameMode\": \"duels\"")
            .Parse("bad.json");

        var exception = Assert.Throws<GameConfigException>(result.GetConfigOrThrow);

        Assert.Equal(2, exception.Problems.Count);
        Assert.StartsWith("The game config has 2 problems:", exception.Message, StringComparison.Ordinal);
        Assert.All(result.Problems, p => Assert.Contains(p.ToString(), exception.Message, StringComparison.Ordinal));
    }

    private static (int Line, int Column) Shift((int Line, int Column) position, int columns) =>
        (position.Line, position.Column + columns);
}
