using MetaServer.Cli;
using MetaServer.Testing;

namespace MetaServer.Client.Tests;

public sealed class CliAppTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "metaserver-cli-tests-" + Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    private string TokenFile => Path.Combine(_dir, "nested", "session.json");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task Smoke_WorkingServer_PassesEveryStepAndExitsZero()
    {
        var fake = new FakeMetaServer();
        await using var server = await ScriptedServer.StartAsync(fake.ServeAsync);

        var exit = await RunAsync("smoke", "--url", server.Uri.ToString());

        Assert.Equal(CliApp.ExitOk, exit);
        var text = _output.ToString();
        Assert.Equal(6, text.Split('\n').Count(line => line.StartsWith("PASS", StringComparison.Ordinal)));
        Assert.DoesNotContain("FAIL", text, StringComparison.Ordinal);
        Assert.Contains("Result: PASS", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_NothingListening_FailsConnectStepAndExitsTwo()
    {
        var exit = await RunAsync("smoke", "--url", $"ws://127.0.0.1:{FreePort.Next()}/ws");

        Assert.Equal(CliApp.ExitCannotConnect, exit);
        Assert.Contains("FAIL  connect", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginThenAccount_WorkingServer_SavesPrivateTokenFileAndPrintsSameAccount()
    {
        var fake = new FakeMetaServer();
        await using var server = await ScriptedServer.StartAsync(fake.ServeAsync);
        var url = server.Uri.ToString();

        var loginExit = await RunAsync("login", "--device", "phone-1", "--url", url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitOk, loginExit);
        Assert.Contains("acc-", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("yes (created by this login)", _output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(TokenFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokenFile));
        }

        var saved = await new TokenStore(TokenFile).GetAsync(server.Uri.AbsoluteUri, CancellationToken.None);
        Assert.NotNull(saved);
        Assert.StartsWith("token-", saved.Token, StringComparison.Ordinal);

        _output.GetStringBuilder().Clear();
        var accountExit = await RunAsync("account", "--url", url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitOk, accountExit);
        Assert.Contains(saved.AccountId, _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("phone-1", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Account_NoSavedToken_ExitsOneWithClearMessage()
    {
        var exit = await RunAsync("account", "--url", "ws://127.0.0.1:1/ws", "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitRefused, exit);
        Assert.Contains("no session token saved", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Account_TokenRefused_ExitsOneWithResultCodeAndMessage()
    {
        var fake = new FakeMetaServer();
        await using var server = await ScriptedServer.StartAsync(fake.ServeAsync);
        await new TokenStore(TokenFile).SaveAsync(server.Uri.AbsoluteUri, new SavedSession("forged", 0, "acc-x"), CancellationToken.None);

        var exit = await RunAsync("account", "--url", server.Uri.ToString(), "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitRefused, exit);
        var error = _error.ToString();
        Assert.Contains("InvalidToken", error, StringComparison.Ordinal);
        Assert.Contains("token signature is not valid", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_NothingListening_ExitsTwoWithoutStackTrace()
    {
        var exit = await RunAsync("login", "--device", "d", "--url", $"ws://127.0.0.1:{FreePort.Next()}/ws", "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitCannotConnect, exit);
        Assert.Contains("Cannot connect", _error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", _error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(TokenFile));
    }

    private Task<int> RunAsync(params string[] args) =>
        CliApp.RunAsync(args, _output, _error).WithTimeout("metaserver " + string.Join(' ', args));
}
