using System.Text.Json.Nodes;
using MetaServer.Client;
using MetaServer.GameConfig;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.EndToEnd.Tests;

/// <summary>The economy through the whole all-in-one host (bundled game config, or a variant of it from a file).</summary>
public sealed class EconomyEndToEndTests
{
    [Fact]
    public async Task Purchase_ThenRetryWithSameClientRequestId_ChargedOnceAndSameResult()
    {
        // The bundled sample's starting 50 gems buy nothing; a variant file with 500 starting gems, loaded by path.
        var dataDir = AllInOneHost.NewDataDir();
        Directory.CreateDirectory(dataDir);
        try
        {
            var config = JsonNode.Parse(GameConfigLoader.ReadBundledConfigBytes())!;
            config["starting"]!["currencies"] = JsonNode.Parse("[{\"currency\":\"gold\",\"amount\":1000},{\"currency\":\"gems\",\"amount\":500}]");
            var configPath = Path.Combine(dataDir, "game-config.json");
            await File.WriteAllTextAsync(configPath, config.ToJsonString());
            await using var host = await AllInOneHost.StartAsync(dataDir, extraArgs: $"--MetaServer:GameConfig:Path={configPath}");
            await using var client = await host.ConnectAsync();
            var login = await client.LoginDeviceAsync("device-e2e-economy").WithTimeout("login");
            Assert.Equal(500, login.Account.Wallet["gems"]);
            Assert.Equal(GameConfigLoader.ComputeHash(await File.ReadAllBytesAsync(configPath)), login.Account.ConfigHash);
            Assert.Equal(2, login.Account.Inventory["boost.xp-2x-1h"]);

            // "3 XP Boosters" for 60 gems (unlimited).
            var bought = await client.PurchaseAsync("offer.xp-booster-3", "e2e-buy-1").WithTimeout("purchase");
            var snapshot = (await client.GetAccountAsync().WithTimeout("get account")).Account;
            var retry = await client.PurchaseAsync("offer.xp-booster-3", "e2e-buy-1").WithTimeout("retried purchase");
            var after = (await client.GetAccountAsync().WithTimeout("get account after retry")).Account;

            Assert.Equal(440, bought.Account.Wallet["gems"]);
            Assert.Equal(5, bought.Account.Inventory["boost.xp-2x-1h"]);
            Assert.Equal(3, bought.Granted.Items["boost.xp-2x-1h"]);
            Assert.Equal(bought.Account, snapshot);
            Assert.Equal(bought, retry);
            Assert.Equal(snapshot, after);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Purchase_NotEnoughGold_InsufficientFundsAndBalanceUnchanged()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var login = await client.LoginDeviceAsync("device-e2e-economy-2").WithTimeout("login");

        // Bundled config: Specter costs 15000 gold; a new account starts with 1000.
        var refused = await Assert.ThrowsAsync<MetaServerRequestException>(() => client.PurchaseAsync("offer.hero-specter").WithTimeout("purchase"));
        var after = (await client.GetAccountAsync().WithTimeout("get account")).Account;

        Assert.Equal(ResultCode.InsufficientFunds, refused.Code);
        Assert.Equal("You need 14000 more gold.", refused.ServerMessage);
        Assert.Equal(login.Account.Wallet, after.Wallet);
        Assert.Equal(login.Account.Revision, after.Revision);
        Assert.Equal(GameConfigLoader.LoadBundled().Config!.Hash, after.ConfigHash);
    }
}
