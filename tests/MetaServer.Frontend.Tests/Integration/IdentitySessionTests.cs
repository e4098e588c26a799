using System.Net.WebSockets;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Frontend.Tests.Integration;

/// <summary>Token refresh, the session check on resume, and a DisconnectEvent closing a live session.</summary>
public sealed class IdentitySessionTests
{
    private static readonly Envelope Refresh = new() { RefreshToken = new RefreshTokenRequest() };

    [Fact]
    public async Task RefreshToken_Authenticated_NewTokenResumesTheAccount()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var login = await client.LoginAsync("device-refresh");

        var reply = await client.RequestAsync(Refresh.Clone());
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);
        var resumed = await second.RequestAsync(new Envelope { AuthToken = new AuthTokenRequest { Token = reply.Token.Token } });

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.NotEqual(login.Auth.Token, reply.Token.Token);
        Assert.True(reply.Token.TokenExpiresAtUnixMs > 0);
        Assert.Equal(ResultCode.Ok, resumed.Result.Code);
        Assert.Equal(login.Auth.Account.AccountId, resumed.Auth.Account.AccountId);
        var check = await ReadUntilCheckAsync(server);
        Assert.True(check.CheckSession);
    }

    [Fact]
    public async Task RefreshToken_BeforeAuth_NotAuthenticated()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.RequestAsync(Refresh.Clone());

        Assert.Equal(ResultCode.NotAuthenticated, reply.Result.Code);
    }

    [Fact]
    public async Task RefreshToken_AccountBanned_RefusedThenDisconnectedAndClosed()
    {
        await using var server = await FrontendServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var accountId = (await client.LoginAsync("device-banned-refresh")).Auth.Account.AccountId;
        server.Accounts.Banned[accountId] = true;

        var reply = await client.RequestAsync(Refresh.Clone());
        var disconnect = await client.ReceiveAsync();
        var close = await client.ReceiveCloseAsync();

        Assert.Equal(ResultCode.AccountBanned, reply.Result.Code);
        Assert.Equal("This account is banned: testing.", reply.Result.Message);
        Assert.Equal(ResultCode.AccountBanned, disconnect.Disconnect.Code);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close);
        Assert.Equal("account banned", client.Socket.CloseStatusDescription);
    }

    [Fact]
    public async Task ResumeToken_AccountBanned_AccountBannedAndStampsNothing()
    {
        await using var server = await FrontendServer.StartAsync();
        string token;
        string accountId;
        await using (var first = await TestClient.ConnectAsync(server.WebSocketUri))
        {
            var login = await first.LoginAsync("device-banned-resume");
            token = login.Auth.Token;
            accountId = login.Auth.Account.AccountId;
        }

        server.Accounts.Banned[accountId] = true;
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var reply = await client.RequestAsync(new Envelope { AuthToken = new AuthTokenRequest { Token = token } });
        var account = await client.RequestAsync(new Envelope { GetAccount = new GetAccountRequest() });

        Assert.Equal(ResultCode.AccountBanned, reply.Result.Code);
        Assert.Equal(ResultCode.NotAuthenticated, account.Result.Code);
        var check = await ReadUntilCheckAsync(server);
        Assert.True(check.CheckSession);
        Assert.True(check.StampLogin);
    }

    [Fact]
    public async Task DisconnectEvent_AccountBannedPushedToLiveSession_SentThenClosedWithPolicyViolation()
    {
        await using var server = await FrontendServer.StartAsync(services: s => s.AddEmbeddedStorage());
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var playerId = (await client.LoginAsync("device-ban-push")).Auth.Account.AccountId;
        var publisher = server.App.Services.GetRequiredService<PlayerEventPublisher>();

        var sent = await publisher.PublishAsync(
            playerId, new Envelope { Disconnect = new DisconnectEvent { Code = ResultCode.AccountBanned, Reason = "This account is banned: cheating." } });
        var received = await client.ReceiveAsync();
        var close = await client.ReceiveCloseAsync();

        Assert.True(sent);
        Assert.Equal(ResultCode.AccountBanned, received.Disconnect.Code);
        Assert.Equal("This account is banned: cheating.", received.Disconnect.Reason);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close);
        Assert.Equal("account banned", client.Socket.CloseStatusDescription);
    }

    [Theory]
    [InlineData(nameof(Envelope.PayloadOneofCase.Link), MessageTypes.AccountsLinkIdentity)]
    [InlineData(nameof(Envelope.PayloadOneofCase.Unlink), MessageTypes.AccountsUnlinkIdentity)]
    public void ClientRoutes_LinkAndUnlink_RoutedToAccounts(string payload, string messageType)
    {
        Assert.Equal(messageType, ClientRoutes.MessageTypeOf(Enum.Parse<Envelope.PayloadOneofCase>(payload)));
    }

    /// <summary>The first get-account query the fake accounts service received (skipping logins).</summary>
    private static async Task<GetAccountQuery> ReadUntilCheckAsync(FrontendServer server)
    {
        while (true)
        {
            var request = await server.Accounts.Received.Reader.ReadAsync().AsTask().WithTimeout("a get-account query");
            if (request.MessageType == MessageTypes.AccountsGetAccount)
            {
                return GetAccountQuery.Parser.ParseFrom(request.Payload.Span);
            }
        }
    }
}
