using System.Net;
using System.Net.WebSockets;
using MetaServer.Accounts.Handlers;
using MetaServer.Client;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// The request path end to end: a real WebSocket client → the frontend of the all-in-one host → the
/// embedded request queue → the accounts pipeline and its SQLite store → the frontend's reply queue → the client.
/// </summary>
public sealed class AllInOneEndToEndTests
{
    [Fact]
    public async Task LoginDevice_FirstThenSecondLogin_CreatesOneAccountAndReturnsItAgain()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var first = await host.ConnectAsync();
        await using var second = await host.ConnectAsync();

        var created = await first.LoginDeviceAsync("device-e2e-1").WithTimeout("first login");
        var again = await second.LoginDeviceAsync("device-e2e-1").WithTimeout("second login");

        Assert.True(created.Created);
        Assert.False(again.Created);
        Assert.NotEmpty(created.Account.AccountId);
        Assert.Equal(created.Account.AccountId, again.Account.AccountId);
        Assert.Contains("device-e2e-1", again.Account.DeviceIds);
        Assert.NotEmpty(created.Token);
        Assert.True(created.TokenExpiresAtUnixMs > DateTimeOffset.UnixEpoch.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task GetAccount_AfterLogin_ReturnsTheFullSnapshot()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var login = await client.LoginDeviceAsync("device-e2e-2").WithTimeout("login");

        var account = await client.GetAccountAsync().WithTimeout("get account");

        Assert.Equal(login.Account.AccountId, account.Account.AccountId);
        Assert.Equal(login.Account.Nickname, account.Account.Nickname);
        Assert.Equal(login.Account.CreatedAtUnixMs, account.Account.CreatedAtUnixMs);
        Assert.Equal(login.Account.Revision, account.Account.Revision);
        Assert.Equal(["device-e2e-2"], account.Account.DeviceIds);
    }

    [Fact]
    public async Task Resume_TokenOnANewConnection_ReturnsTheSameAccountWithoutCreatingOne()
    {
        await using var host = await AllInOneHost.StartAsync();
        AuthResponse login;
        await using (var client = await host.ConnectAsync())
        {
            login = await client.LoginDeviceAsync("device-e2e-3").WithTimeout("login");
        }

        await using var resumed = await host.ConnectAsync();
        var auth = await resumed.ResumeAsync(login.Token).WithTimeout("resume");
        var account = await resumed.GetAccountAsync().WithTimeout("get account");

        Assert.False(auth.Created);
        Assert.Equal(login.Account.AccountId, auth.Account.AccountId);
        Assert.Equal(login.Account.AccountId, account.Account.AccountId);
    }

    [Fact]
    public async Task Resume_AfterHostRestartOnTheSameDataDir_KeepsAccountAndToken()
    {
        var dataDir = AllInOneHost.NewDataDir();
        try
        {
            AuthResponse login;
            await using (var host = await AllInOneHost.StartAsync(dataDir))
            await using (var client = await host.ConnectAsync())
            {
                login = await client.LoginDeviceAsync("device-e2e-restart").WithTimeout("login before restart");
            }

            await using var restarted = await AllInOneHost.StartAsync(dataDir);
            await using var again = await restarted.ConnectAsync();
            var auth = await again.ResumeAsync(login.Token).WithTimeout("resume after restart");

            Assert.Equal(login.Account.AccountId, auth.Account.AccountId);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Resume_TamperedToken_IsRefusedWithInvalidToken()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();
        var login = await client.LoginDeviceAsync("device-e2e-4").WithTimeout("login");
        await using var other = await host.ConnectAsync();

        var tampered = login.Token[..^2] + (login.Token[^2] == 'A' ? "BB" : "AA");
        var ex = await Assert.ThrowsAsync<MetaServerRequestException>(() => other.ResumeAsync(tampered).WithTimeout("resume"));

        Assert.Equal(ResultCode.InvalidToken, ex.Code);
        Assert.True(other.IsConnected);
    }

    [Fact]
    public async Task GetAccount_BeforeAuth_IsRefusedAndTheConnectionStaysUsable()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();

        var ex = await Assert.ThrowsAsync<MetaServerRequestException>(() => client.GetAccountAsync().WithTimeout("get account"));
        var login = await client.LoginDeviceAsync("device-e2e-5").WithTimeout("login after refusal");

        Assert.Equal(ResultCode.NotAuthenticated, ex.Code);
        Assert.NotEmpty(login.Account.AccountId);
    }

    [Fact]
    public async Task SecondRequest_WhileFirstIsInFlight_GetsRequestInFlightAndTheFirstStillCompletes()
    {
        RequestGate? gate = null;
        await using var host = await AllInOneHost.StartAsync(configure: b => gate = RequestGate.Install<LoginDeviceHandler>(b.Services));
        await using var client = await host.ConnectAsync();

        var first = client.LoginDeviceAsync("device-e2e-6");
        await gate!.Entered.Task.WithTimeout("the login to reach the accounts backend");
        var second = await client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() }).WithTimeout("second request");
        gate.Release();
        var login = await first.WithTimeout("first login");

        Assert.Equal(ResultCode.RequestInFlight, second.Result.Code);
        Assert.NotEmpty(login.Account.AccountId);
        Assert.True(client.IsConnected);
        var account = await client.GetAccountAsync().WithTimeout("request after the in-flight one");
        Assert.Equal(login.Account.AccountId, account.Account.AccountId);
    }

    [Fact]
    public async Task OversizeFrame_ClosesWithMessageTooBigAndOtherSessionsCarryOn()
    {
        await using var host = await AllInOneHost.StartAsync(extraArgs: "--MetaServer:Frontend:MaxMessageBytes=4096");
        await using var bystander = await host.ConnectAsync();
        await bystander.LoginDeviceAsync("device-e2e-7").WithTimeout("bystander login");
        await using var client = await host.ConnectAsync();

        await client.SendRawAsync(new byte[8192], WebSocketMessageType.Binary);
        await client.Completion.WithTimeout("the server to close the oversize session");

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        var account = await bystander.GetAccountAsync().WithTimeout("bystander request");
        Assert.NotEmpty(account.Account.AccountId);
    }

    [Fact]
    public async Task UndecodableFrame_ClosesWithInvalidPayloadAndTheServerCarriesOn()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();

        await client.SendRawAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, WebSocketMessageType.Binary);
        await client.Completion.WithTimeout("the server to close the session");

        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, client.CloseStatus);
        await using var next = await host.ConnectAsync();
        var login = await next.LoginDeviceAsync("device-e2e-8").WithTimeout("login on a new connection");
        Assert.NotEmpty(login.Account.AccountId);
    }

    [Fact]
    public async Task HealthAndReadiness_RunningHost_AnswerOk()
    {
        await using var host = await AllInOneHost.StartAsync();
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative)).WithTimeout("healthz");
        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative)).WithTimeout("readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
