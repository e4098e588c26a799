using MetaServer.Friends.Service;
using MetaServer.Friends.Storage;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;

namespace MetaServer.Friends.Tests;

/// <summary>Limits, idempotent redelivery and the two sides after a crash between the writes.</summary>
public sealed class FriendsConsistencyTests : IDisposable
{
    private readonly FriendsHarness _h = new(s =>
    {
        s["MetaServer:Friends:MaxFriends"] = "2";
        s["MetaServer:Friends:MaxPendingOutgoing"] = "2";
        s["MetaServer:Friends:MaxPendingIncoming"] = "2";
        s["MetaServer:Friends:MaxBlocked"] = "1";
    });

    public void Dispose() => _h.Dispose();

    private IFriendGraphReader Graph => _h.Get<IFriendGraphReader>();

    [Fact]
    public async Task SendRequest_OverMaxPendingOutgoing_LimitReached()
    {
        await _h.RequestAsync("alice", "bob");
        await _h.RequestAsync("alice", "carol");

        var reply = await _h.RequestAsync("alice", "dave");

        Assert.Equal(ResultCode.FriendLimitReached, reply.Result.Code);
        Assert.Empty((await _h.ListAsync("dave")).Incoming);
    }

    [Fact]
    public async Task SendRequest_RecipientOverMaxPendingIncoming_LimitReached()
    {
        await _h.RequestAsync("alice", "erin");
        await _h.RequestAsync("bob", "erin");

        Assert.Equal(ResultCode.FriendLimitReached, (await _h.RequestAsync("carol", "erin")).Result.Code);
        Assert.Equal(2, (await _h.ListAsync("erin")).Incoming.Count);
    }

    [Fact]
    public async Task Accept_WhenAccepterAtMaxFriends_LimitReachedAndRequestStays()
    {
        await _h.RequestAsync("dave", "alice");
        await _h.MakeFriendsAsync("bob", "alice");
        await _h.MakeFriendsAsync("carol", "alice");

        Assert.Equal(ResultCode.FriendLimitReached, (await _h.AcceptAsync("alice", "dave")).Result.Code);
        Assert.Equal("dave", Assert.Single((await _h.ListAsync("alice")).Incoming).AccountId);
        Assert.Equal("alice", Assert.Single((await _h.ListAsync("dave")).Outgoing).AccountId);
    }

    [Fact]
    public async Task Accept_WhenSenderAtMaxFriends_LimitReached()
    {
        await _h.RequestAsync("alice", "dave");
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.MakeFriendsAsync("alice", "carol");

        Assert.Equal(ResultCode.FriendLimitReached, (await _h.AcceptAsync("dave", "alice")).Result.Code);
        Assert.False(await Graph.AreFriendsAsync("alice", "dave"));
        Assert.False(await Graph.AreFriendsAsync("dave", "alice"));
    }

    [Fact]
    public async Task SendRequest_RecipientAtMaxFriends_LimitReached()
    {
        await _h.MakeFriendsAsync("bob", "alice");
        await _h.MakeFriendsAsync("carol", "alice");

        Assert.Equal(ResultCode.FriendLimitReached, (await _h.RequestAsync("dave", "alice")).Result.Code);
    }

    [Fact]
    public async Task Block_OverMaxBlocked_LimitReached()
    {
        await _h.BlockAsync("alice", "bob");

        Assert.Equal(ResultCode.FriendLimitReached, (await _h.BlockAsync("alice", "carol")).Result.Code);
    }

    [Fact]
    public async Task SendRequest_RedeliveredSameMessage_SameAnswerAppliedOnceAndPushedAgain()
    {
        await _h.OnlineAsync("bob");
        var message = FriendsHarness.Message(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = "r1", AccountId = "bob" }, "alice");

        var first = await _h.DeliverAsync(message);
        var second = await _h.DeliverAsync(message);

        Assert.Equal(FriendsHarness.ReplyOf(first).FriendAction, FriendsHarness.ReplyOf(second).FriendAction);
        Assert.Equal(ResultCode.Ok, FriendsHarness.ReplyOf(second).Result.Code);
        Assert.Single(FriendsHarness.PushesOf(second));
        Assert.Single((await _h.ListAsync("alice")).Outgoing);
        Assert.Single((await _h.ListAsync("bob")).Incoming);
    }

    [Fact]
    public async Task Accept_RetriedWithSameClientRequestId_OkNotAlreadyFriends()
    {
        await _h.RequestAsync("alice", "bob");
        var accept = new AcceptFriendRequestRequest { ClientRequestId = "a1", AccountId = "alice" };

        var first = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsAcceptRequest, accept, "bob"));
        var retry = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsAcceptRequest, accept, "bob"));

        Assert.Equal((ResultCode.Ok, FriendRelation.Friend), (first.Result.Code, first.FriendAction.Relation));
        Assert.Equal((ResultCode.Ok, FriendRelation.Friend), (retry.Result.Code, retry.FriendAction.Relation));
    }

    [Fact]
    public async Task SendRequest_CrashBetweenWrites_HalfDoneThenRedeliveryCompletesBothSides()
    {
        await _h.OnlineAsync("bob");
        var message = FriendsHarness.Message(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = "r1", AccountId = "bob" }, "alice");
        _h.Store.CrashOnNextWriteOf(FriendStoreKeys.Graph("alice"));

        await Assert.ThrowsAsync<IOException>(async () => await _h.DeliverAsync(message));

        // The recipient's side is written first; the sender's is not.
        Assert.Single((await _h.ListAsync("bob")).Incoming);
        Assert.Empty((await _h.ListAsync("alice")).Outgoing);

        var redelivered = await _h.DeliverAsync(message);

        Assert.Equal(FriendRelation.Outgoing, FriendsHarness.ReplyOf(redelivered).FriendAction.Relation);
        Assert.Single(FriendsHarness.PushesOf(redelivered));
        Assert.Equal("bob", Assert.Single((await _h.ListAsync("alice")).Outgoing).AccountId);
        Assert.Equal("alice", Assert.Single((await _h.ListAsync("bob")).Incoming).AccountId);
    }

    [Theory]
    [InlineData("accept")]
    [InlineData("remove")]
    [InlineData("block")]
    public async Task Change_CrashBetweenWrites_RedeliveryLeavesBothSidesConsistent(string change)
    {
        await _h.RequestAsync("alice", "bob");
        if (change != "accept")
        {
            await _h.AcceptAsync("bob", "alice");
        }

        var message = change switch
        {
            "accept" => FriendsHarness.Message(MessageTypes.FriendsAcceptRequest, new AcceptFriendRequestRequest { ClientRequestId = "c1", AccountId = "alice" }, "bob"),
            "remove" => FriendsHarness.Message(MessageTypes.FriendsRemove, new RemoveFriendRequest { ClientRequestId = "c1", AccountId = "alice" }, "bob"),
            _ => FriendsHarness.Message(MessageTypes.FriendsBlock, new BlockPlayerRequest { ClientRequestId = "c1", AccountId = "alice" }, "bob"),
        };
        _h.Store.CrashOnNextWriteOf(FriendStoreKeys.Graph("bob"));

        await Assert.ThrowsAsync<IOException>(async () => await _h.DeliverAsync(message));
        var reply = FriendsHarness.ReplyOf(await _h.DeliverAsync(message));

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        var friends = change == "accept";
        Assert.Equal(friends, await Graph.AreFriendsAsync("alice", "bob"));
        Assert.Equal(friends, await Graph.AreFriendsAsync("bob", "alice"));
        Assert.Equal(change == "block", await Graph.IsBlockedAsync("bob", "alice"));
        Assert.Empty((await _h.ListAsync("alice")).Outgoing);
        Assert.Empty((await _h.ListAsync("bob")).Incoming);
    }

    [Fact]
    public async Task ConcurrentSends_ToOneRecipient_EveryRequestOnBothSides()
    {
        var senders = new[] { "alice", "bob" };

        var replies = await Task.WhenAll(senders.Select(s => _h.RequestAsync(s, "erin")));

        Assert.All(replies, r => Assert.Equal(ResultCode.Ok, r.Result.Code));
        Assert.Equal(senders, (await _h.ListAsync("erin")).Incoming.Select(e => e.AccountId).Order());
    }

    [Fact]
    public void Options_PendingOutgoingAboveMaxFriends_FailValidation()
    {
        var result = new FriendsOptionsValidator().Validate(null, new FriendsOptions { MaxFriends = 5, MaxPendingOutgoing = 6 });

        Assert.True(result.Failed);
        Assert.Contains("MaxPendingOutgoing", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new FriendsOptionsValidator().Validate(null, new FriendsOptions()).Succeeded);
    }
}
