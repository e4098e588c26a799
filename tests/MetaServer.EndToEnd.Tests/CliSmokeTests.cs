using MetaServer.Cli;
using MetaServer.Testing;

namespace MetaServer.EndToEnd.Tests;

/// <summary>The CLI client is the smoke check: it must pass against the real all-in-one host.</summary>
public sealed class CliSmokeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "metaserver-e2e-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Smoke_AgainstAllInOneHost_PassesAndExitsZero()
    {
        await using var host = await AllInOneHost.StartAsync();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["smoke", "--url", host.WebSocketUri.ToString()], output, error).WithTimeout("cli smoke");

        Assert.True(exit == CliApp.ExitOk, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("Result: PASS", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginThenAccount_AgainstAllInOneHost_PrintsTheSameAccount()
    {
        await using var host = await AllInOneHost.StartAsync();
        var url = host.WebSocketUri.ToString();
        var tokenFile = Path.Combine(_dir, "session.json");
        using var loginOut = new StringWriter();
        using var accountOut = new StringWriter();
        using var error = new StringWriter();

        var loginExit = await CliApp.RunAsync(["login", "--device", "cli-e2e", "--url", url, "--token-file", tokenFile], loginOut, error).WithTimeout("cli login");
        var accountExit = await CliApp.RunAsync(["account", "--url", url, "--token-file", tokenFile], accountOut, error).WithTimeout("cli account");

        Assert.Equal(CliApp.ExitOk, loginExit);
        Assert.Equal(CliApp.ExitOk, accountExit);
        var accountLine = loginOut.ToString().Split('\n').Single(l => l.TrimStart().StartsWith("Account id", StringComparison.Ordinal));
        var accountId = accountLine.Trim()["Account id".Length..].Trim();
        Assert.NotEmpty(accountId);
        Assert.Contains(accountId, accountOut.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PurchaseThenRetrySameRequestId_AgainstAllInOneHost_ChargedOnceAndUnknownOfferRefused()
    {
        await using var host = await AllInOneHost.StartAsync();
        var url = host.WebSocketUri.ToString();
        var tokenFile = Path.Combine(_dir, "session.json");
        using var error = new StringWriter();
        using var loginOut = new StringWriter();
        using var buyOut = new StringWriter();
        using var retryOut = new StringWriter();
        using var unknownOut = new StringWriter();

        var loginExit = await CliApp.RunAsync(["login", "--device", "cli-e2e-buy", "--url", url, "--token-file", tokenFile], loginOut, error).WithTimeout("cli login");
        string[] buy = ["purchase", "offer.xp-booster-1", "--request-id", "cli-buy-1", "--url", url, "--token-file", tokenFile];
        var buyExit = await CliApp.RunAsync(buy, buyOut, error).WithTimeout("cli purchase");
        var retryExit = await CliApp.RunAsync(buy, retryOut, error).WithTimeout("cli purchase retry");
        var unknownExit = await CliApp.RunAsync(["purchase", "offer.nope", "--url", url, "--token-file", tokenFile], unknownOut, error).WithTimeout("cli purchase unknown");

        Assert.Equal(CliApp.ExitOk, loginExit);
        Assert.True(buyExit == CliApp.ExitOk, $"exit {buyExit}\n{buyOut}\n{error}");
        Assert.Equal(CliApp.ExitOk, retryExit);
        Assert.Equal(CliApp.ExitRefused, unknownExit);

        // Bundled config: a new account has 1000 gold and 2 boosters; the booster offer costs 800 gold.
        Assert.Contains("Wallet       1000 gold", loginOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("Granted: 1 x boost.xp-2x-1h", buyOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("200 gold", WalletLine(buyOut), StringComparison.Ordinal);
        Assert.Equal(WalletLine(buyOut), WalletLine(retryOut));
        Assert.Contains("Granted: 1 x boost.xp-2x-1h", retryOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("3 x boost.xp-2x-1h", retryOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("offer.nope", error.ToString(), StringComparison.Ordinal);
    }

    private static string WalletLine(StringWriter output) =>
        output.ToString().Split('\n').Single(l => l.TrimStart().StartsWith("Wallet", StringComparison.Ordinal));
}
