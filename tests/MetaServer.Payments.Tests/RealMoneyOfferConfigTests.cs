using System.Text;
using System.Text.Json.Nodes;
using MetaServer.Accounts.Domain;
using MetaServer.GameConfig;
using MetaServer.Payments.Service;

namespace MetaServer.Payments.Tests;

/// <summary>Real-money offers in the game config, the account's purchase records and the account binding token.</summary>
public sealed class RealMoneyOfferConfigTests
{
    [Fact]
    public void LoadBundled_RealMoneyOffers_MapProductIdsPerStore()
    {
        var config = GameConfigLoader.LoadBundled().Config!;

        Assert.Equal("iap.gems-small", config.FindAppStoreProduct("com.example.metaserver.gems.small")?.Id);
        Assert.Equal("iap.gems-small", config.FindGooglePlayProduct("gems_small")?.Id);
        Assert.Null(config.FindAppStoreProduct("gems_small"));
        Assert.Equal(100, Assert.Single(config.FindGooglePlayProduct("gems_small")!.Grants.Currencies).Amount);
    }

    [Fact]
    public void Parse_NoRealMoneyOffers_IsValidAndSellsNothing()
    {
        var root = Bundled();
        root.Remove("realMoneyOffers");

        var result = Parse(root);

        Assert.NotNull(result.Config);
        Assert.Empty(result.Config.RealMoneyOffers);
    }

    [Fact]
    public void Parse_OfferWithoutProductIds_IsAPlainProblem()
    {
        var root = Bundled();
        Offer(root, 0).Remove("appStoreProductId");
        Offer(root, 0).Remove("googlePlayProductId");

        var problem = Assert.Single(Parse(root).Problems);

        Assert.Equal("$.realMoneyOffers[0]", problem.JsonPath);
        Assert.Contains("needs a product id", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ProductIdSoldTwice_IsAPlainProblem()
    {
        var root = Bundled();
        Offer(root, 1)["googlePlayProductId"] = "gems_small";

        var problem = Assert.Single(Parse(root).Problems);

        Assert.Equal("$.realMoneyOffers[1].googlePlayProductId", problem.JsonPath);
        Assert.Contains("already sold by the offer at $.realMoneyOffers[0]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_GrantOfUnknownCurrencyAndBadProductId_AreProblems()
    {
        var root = Bundled();
        Offer(root, 0)["grants"] = JsonNode.Parse("""{ "currencies": [{ "currency": "diamonds", "amount": 5 }] }""");
        Offer(root, 1)["googlePlayProductId"] = "Gems Large!";

        var problems = Parse(root).Problems;

        Assert.Contains(problems, p => p.JsonPath == "$.realMoneyOffers[0].grants.currencies[0].currency" && p.Message.Contains("diamonds", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.JsonPath == "$.realMoneyOffers[1].googlePlayProductId");
    }

    [Fact]
    public void Serializer_Purchases_RoundTrip()
    {
        var granted = Granted.None.AddCurrency("gems", 100).AddItem("crate.supply", 2);
        var account = new Account
        {
            AccountId = "a1",
            Revision = 3,
            SchemaVersion = Account.CurrentSchemaVersion,
            Nickname = "P",
            CreatedAt = DateTimeOffset.UnixEpoch,
            DeviceIds = ["d"],
            Purchases = System.Collections.Immutable.ImmutableDictionary<string, AccountPurchase>.Empty.Add(
                AccountPurchaseKeys.Of("apple", "1000"),
                new AccountPurchase("iap.x", AccountPurchaseState.Revoked, granted, DateTimeOffset.UnixEpoch, Granted.None.AddCurrency("gems", 30),
                    System.Collections.Immutable.ImmutableDictionary<string, long>.Empty.Add("gems", 70), DateTimeOffset.UnixEpoch.AddDays(1))),
            PaymentFlagged = true,
            PaymentShortfall = System.Collections.Immutable.ImmutableDictionary<string, long>.Empty.Add("gems", 70),
        };

        var back = AccountDocumentSerializer.Deserialize("a1", 3, AccountDocumentSerializer.Serialize(account));

        var purchase = Assert.Single(back.Purchases);
        Assert.Equal("apple:1000", purchase.Key);
        Assert.Equal(AccountPurchaseState.Revoked, purchase.Value.State);
        Assert.Equal(100, purchase.Value.Granted.Currencies["gems"]);
        Assert.Equal(2, purchase.Value.Granted.Items["crate.supply"]);
        Assert.Equal(30, purchase.Value.Revoked.Currencies["gems"]);
        Assert.Equal(70, purchase.Value.Shortfall["gems"]);
        Assert.True(back.PaymentFlagged);
        Assert.Equal(70, back.PaymentShortfall["gems"]);
    }

    [Fact]
    public void AccountPurchaseKeys_LongToken_IsHashed()
    {
        var key = AccountPurchaseKeys.Of("google", new string('t', 300));

        Assert.StartsWith("google:sha256:", key, StringComparison.Ordinal);
        Assert.Equal(key, AccountPurchaseKeys.Of("google", new string('t', 300)));
    }

    [Fact]
    public void AccountBindings_HexAccountId_IsTheSameUuid()
    {
        Assert.Equal("0123abcd-4567-89ef-0123-456789abcdef", AccountBindings.TokenFor("0123abcd456789ef0123456789abcdef"));
        Assert.True(AccountBindings.Matches("0123ABCD-4567-89EF-0123-456789ABCDEF", "0123abcd456789ef0123456789abcdef"));
        Assert.True(AccountBindings.Matches("0123abcd456789ef0123456789abcdef", "0123abcd456789ef0123456789abcdef"));
        Assert.False(AccountBindings.Matches(AccountBindings.TokenFor("someone-else"), "0123abcd456789ef0123456789abcdef"));
    }

    [Fact]
    public void AccountBindings_OtherAccountId_IsAStableNameBasedUuid()
    {
        var token = AccountBindings.TokenFor("player-7");

        Assert.True(Guid.TryParseExact(token, "D", out _));
        Assert.Equal('8', token[14]);
        Assert.Equal(token, AccountBindings.TokenFor("player-7"));
    }

    private static JsonObject Bundled() => JsonNode.Parse(GameConfigLoader.ReadBundledConfigBytes())!.AsObject();

    private static JsonObject Offer(JsonObject root, int index) => root["realMoneyOffers"]![index]!.AsObject();

    private static GameConfigValidationResult Parse(JsonObject root) =>
        GameConfigLoader.Parse(Encoding.UTF8.GetBytes(root.ToJsonString()), "test.json");
}
