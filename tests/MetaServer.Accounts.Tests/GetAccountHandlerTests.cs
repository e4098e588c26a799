using MetaServer.Protocol;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Tests;

public sealed class GetAccountHandlerTests : IDisposable
{
    private readonly HandlerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void MessageType_IsGetAccount()
    {
        Assert.Equal(MessageTypes.AccountsGetAccount, _harness.GetAccount.MessageType);
    }

    [Fact]
    public async Task HandleAsync_ExistingAccount_RepliesSnapshotToReplyQueue()
    {
        var login = await _harness.LoginAsync("my-phone");
        var request = HandlerHarness.GetAccountRequest(login.Account.AccountId);

        var replies = await _harness.GetAccount.HandleAsync(request, CancellationToken.None);

        var result = HandlerHarness.SingleResult(request, replies);
        Assert.Equal(ResultCode.Ok, result.Result.Code);
        Assert.False(result.Created);
        Assert.Equal(login.Account, result.Account);
        Assert.Equal(login.Account.AccountId, replies[0].Envelope.PlayerId);
    }

    [Fact]
    public async Task HandleAsync_UnknownAccount_RepliesNotFound()
    {
        var request = HandlerHarness.GetAccountRequest("no-such-account");

        var result = HandlerHarness.SingleResult(request, await _harness.GetAccount.HandleAsync(request, CancellationToken.None));

        Assert.Equal(ResultCode.NotFound, result.Result.Code);
        Assert.Null(result.Account);
    }

    [Fact]
    public async Task HandleAsync_EmptyAccountId_RepliesInvalidArgument()
    {
        var request = HandlerHarness.GetAccountRequest(string.Empty);

        var result = HandlerHarness.SingleResult(request, await _harness.GetAccount.HandleAsync(request, CancellationToken.None));

        Assert.Equal(ResultCode.InvalidArgument, result.Result.Code);
    }

    [Fact]
    public async Task HandleAsync_UndecodablePayload_RepliesInvalidArgument()
    {
        var request = HandlerHarness.Request(MessageTypes.AccountsGetAccount, new byte[] { 0xFF, 0xFF, 0xFF });

        var result = HandlerHarness.SingleResult(request, await _harness.GetAccount.HandleAsync(request, CancellationToken.None));

        Assert.Equal(ResultCode.InvalidArgument, result.Result.Code);
    }

    [Fact]
    public async Task HandleAsync_StoreFails_ExceptionPropagatesForRedelivery()
    {
        using var harness = new HandlerHarness(wrapStore: _ => new FailingStore());

        await Assert.ThrowsAsync<IOException>(
            async () => await harness.GetAccount.HandleAsync(HandlerHarness.GetAccountRequest("any"), CancellationToken.None));
    }
}
