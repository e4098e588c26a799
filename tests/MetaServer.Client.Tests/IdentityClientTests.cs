using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.Client.Tests;

/// <summary>The identity methods of <see cref="MetaServerClient"/>: what they send and what they return or throw.</summary>
public sealed class IdentityClientTests
{
    [Fact]
    public async Task LoginProviderAsync_OkReply_SendsProviderAndTokenReturnsAuth()
    {
        await using var connected = await Connected.StartAsync();
        var pending = connected.Client.LoginProviderAsync(IdentityProvider.Google, "id-token");

        var request = await connected.Connection.ReceiveAsync().WithTimeout("the login");
        await connected.Connection.SendAsync(Ok(request, new Envelope { Auth = new AuthResponse { Token = "t", Account = new AccountSnapshot { AccountId = "a1" } } }));

        Assert.Equal(IdentityProvider.Google, request.AuthProvider.Provider);
        Assert.Equal("id-token", request.AuthProvider.IdToken);
        Assert.Equal("a1", (await pending.WithTimeout("the reply")).Account.AccountId);
    }

    [Fact]
    public async Task LinkAsync_NoClientRequestId_GeneratesOneAndThrowsOnAlreadyLinked()
    {
        await using var connected = await Connected.StartAsync();
        var pending = connected.Client.LinkAsync(new LinkRequest { CustomId = "c-1" });

        var request = await connected.Connection.ReceiveAsync().WithTimeout("the link");
        await connected.Connection.SendAsync(new Envelope
        {
            RequestId = request.RequestId,
            Result = new Result { Code = ResultCode.AlreadyLinked, Message = "This custom id is already linked to another account." },
        });

        var error = await Assert.ThrowsAsync<MetaServerRequestException>(() => pending).WithTimeout("the error");
        Assert.Equal("c-1", request.Link.CustomId);
        Assert.NotEmpty(request.Link.ClientRequestId);
        Assert.Equal(ResultCode.AlreadyLinked, error.Code);
    }

    [Fact]
    public async Task UnlinkAndRefresh_OkReplies_SendKindIdAndReturnPayloads()
    {
        await using var connected = await Connected.StartAsync();
        var unlink = connected.Client.UnlinkAsync(IdentityKind.Device, "phone", "r-9");
        var unlinkRequest = await connected.Connection.ReceiveAsync().WithTimeout("the unlink");
        await connected.Connection.SendAsync(Ok(unlinkRequest, new Envelope { Account = new AccountResponse { Account = new AccountSnapshot { AccountId = "a1" } } }));
        var unlinked = await unlink.WithTimeout("the unlink reply");

        var refresh = connected.Client.RefreshTokenAsync();
        var refreshRequest = await connected.Connection.ReceiveAsync().WithTimeout("the refresh");
        await connected.Connection.SendAsync(Ok(refreshRequest, new Envelope { Token = new TokenResponse { Token = "fresh", TokenExpiresAtUnixMs = 42 } }));
        var token = await refresh.WithTimeout("the refresh reply");

        Assert.Equal(new UnlinkRequest { ClientRequestId = "r-9", Kind = IdentityKind.Device, Id = "phone" }, unlinkRequest.Unlink);
        Assert.Equal("a1", unlinked.Account.AccountId);
        Assert.Equal(Envelope.PayloadOneofCase.RefreshToken, refreshRequest.PayloadCase);
        Assert.Equal("fresh", token.Token);
    }

    private static Envelope Ok(Envelope request, Envelope reply)
    {
        reply.RequestId = request.RequestId;
        reply.Result = new Result { Code = ResultCode.Ok };
        return reply;
    }
}
