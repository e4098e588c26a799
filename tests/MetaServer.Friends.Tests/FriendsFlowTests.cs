using MetaServer.Friends.Storage;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;

namespace MetaServer.Friends.Tests;

/// <summary>The relation changes end to end through the handlers: outcomes, errors, limits, both sides and pushes.</summary>
public sealed class FriendsFlowTests : IDisposable
{
    private readonly FriendsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private IFriendGraphReader Graph => _h.Get<IFriendGraphReader>();

    [Fact]
    public async Task SendRequest_ToExistingPlayer_BothSidesPendingAndOnlineRecipientGetsPush()
    {
        await _h.OnlineAsync("bob");

        var outgoing = await _h.SendAsync(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = "r1", AccountId = "bob" }, "alice");

        var reply = FriendsHarness.ReplyOf(outgoing);
        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal(("bob", FriendRelation.Outgoing), (reply.FriendAction.AccountId, reply.FriendAction.Relation));
        var push = Assert.Single(FriendsHarness.PushesOf(outgoing));
        Assert.Equal("bob", push.Player);
        Assert.Equal(("alice", "Nick-alice"), (push.Event.FriendRequestReceived.From.AccountId, push.Event.FriendRequestReceived.From.Nickname));
        Assert.Equal("bob", Assert.Single((await _h.ListAsync("alice")).Outgoing).AccountId);
        Assert.Equal("alice", Assert.Single((await _h.ListAsync("bob")).Incoming).AccountId);
    }

    [Fact]
    public async Task SendRequest_OfflineRecipient_NoPush()
    {
        var outgoing = await _h.SendAsync(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = "r1", AccountId = "bob" }, "alice");

        Assert.Equal(ResultCode.Ok, FriendsHarness.ReplyOf(outgoing).Result.Code);
        Assert.Empty(FriendsHarness.PushesOf(outgoing));
    }

    [Fact]
    public async Task Accept_PendingRequest_BothFriendsAndSenderGetsAcceptedPush()
    {
        await _h.OnlineAsync("alice");
        await _h.OnlineAsync("bob");
        await _h.RequestAsync("alice", "bob");

        var outgoing = await _h.SendAsync(MessageTypes.FriendsAcceptRequest, new AcceptFriendRequestRequest { ClientRequestId = "a1", AccountId = "alice" }, "bob");

        Assert.Equal(FriendRelation.Friend, FriendsHarness.ReplyOf(outgoing).FriendAction.Relation);
        var push = Assert.Single(FriendsHarness.PushesOf(outgoing));
        Assert.Equal("alice", push.Player);
        Assert.Equal(("bob", FriendPresence.Online), (push.Event.FriendRequestAccepted.Friend.AccountId, push.Event.FriendRequestAccepted.Friend.Presence));
        Assert.True(await Graph.AreFriendsAsync("alice", "bob"));
        Assert.True(await Graph.AreFriendsAsync("bob", "alice"));
        var aliceList = await _h.ListAsync("alice");
        Assert.Empty(aliceList.Outgoing);
        Assert.Equal(("bob", FriendPresence.Online), (aliceList.Friends[0].AccountId, aliceList.Friends[0].Presence));
    }

    [Fact]
    public async Task SendRequest_WhenOtherAlreadyAsked_AcceptsInstead()
    {
        await _h.RequestAsync("bob", "alice");

        var reply = await _h.RequestAsync("alice", "bob");

        Assert.Equal(FriendRelation.Friend, reply.FriendAction.Relation);
        Assert.True(await Graph.AreFriendsAsync("bob", "alice"));
    }

    [Theory]
    [InlineData("alice", ResultCode.InvalidArgument)]
    [InlineData("nobody", ResultCode.NotFound)]
    [InlineData("", ResultCode.InvalidArgument)]
    public async Task SendRequest_SelfUnknownOrEmpty_Refused(string target, ResultCode expected)
    {
        var reply = await _h.RequestAsync("alice", target);

        Assert.Equal(expected, reply.Result.Code);
        Assert.False(string.IsNullOrWhiteSpace(reply.Result.Message));
        Assert.Empty((await _h.ListAsync("alice")).Outgoing);
    }

    [Fact]
    public async Task SendRequest_AlreadyFriends_AlreadyFriends()
    {
        await _h.MakeFriendsAsync("alice", "bob");

        Assert.Equal(ResultCode.AlreadyFriends, (await _h.RequestAsync("alice", "bob")).Result.Code);
        Assert.Equal(ResultCode.AlreadyFriends, (await _h.RequestAsync("bob", "alice")).Result.Code);
    }

    [Fact]
    public async Task SendRequest_AlreadyPendingWithNewRequestId_FriendRequestPending()
    {
        await _h.RequestAsync("alice", "bob", "r1");

        Assert.Equal(ResultCode.FriendRequestPending, (await _h.RequestAsync("alice", "bob", "r2")).Result.Code);
    }

    [Fact]
    public async Task SendRequest_RecipientBlockedSender_BlockedAndNothingWritten()
    {
        await _h.BlockAsync("bob", "alice");

        var reply = await _h.RequestAsync("alice", "bob");

        Assert.Equal(ResultCode.Blocked, reply.Result.Code);
        Assert.Empty((await _h.ListAsync("bob")).Incoming);
        Assert.Empty((await _h.ListAsync("alice")).Outgoing);
        Assert.True(await Graph.IsBlockedAsync("bob", "alice"));
        Assert.False(await Graph.IsBlockedAsync("alice", "bob"));
    }

    [Fact]
    public async Task SendRequest_SenderBlockedRecipient_Blocked()
    {
        await _h.BlockAsync("alice", "bob");

        Assert.Equal(ResultCode.Blocked, (await _h.RequestAsync("alice", "bob")).Result.Code);
    }

    [Fact]
    public async Task Block_Friend_EndsFriendshipOnBothSidesAndTellsThem()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.OnlineAsync("bob");

        var outgoing = await _h.SendAsync(MessageTypes.FriendsBlock, new BlockPlayerRequest { ClientRequestId = "b1", AccountId = "bob" }, "alice");

        Assert.Equal(FriendRelation.Blocked, FriendsHarness.ReplyOf(outgoing).FriendAction.Relation);
        Assert.Equal("alice", Assert.Single(FriendsHarness.PushesOf(outgoing)).Event.FriendRemoved.AccountId);
        Assert.False(await Graph.AreFriendsAsync("alice", "bob"));
        Assert.False(await Graph.AreFriendsAsync("bob", "alice"));
        Assert.Equal("bob", Assert.Single((await _h.ListAsync("alice")).Blocked).AccountId);
    }

    [Fact]
    public async Task Block_PendingRequests_ClearedBothWays()
    {
        await _h.RequestAsync("bob", "alice");

        await _h.BlockAsync("alice", "bob");

        Assert.Empty((await _h.ListAsync("alice")).Incoming);
        Assert.Empty((await _h.ListAsync("bob")).Outgoing);
    }

    [Fact]
    public async Task Unblock_Blocked_AllowsRequestsAgain()
    {
        await _h.BlockAsync("bob", "alice");

        var reply = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsUnblock, new UnblockPlayerRequest { ClientRequestId = "u1", AccountId = "alice" }, "bob"));

        Assert.Equal(FriendRelation.None, reply.FriendAction.Relation);
        Assert.False(await Graph.IsBlockedAsync("bob", "alice"));
        Assert.Equal(ResultCode.Ok, (await _h.RequestAsync("alice", "bob")).Result.Code);
    }

    [Fact]
    public async Task Unblock_NotBlocked_NotFound()
    {
        var reply = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsUnblock, new UnblockPlayerRequest { ClientRequestId = "u1", AccountId = "alice" }, "bob"));

        Assert.Equal(ResultCode.NotFound, reply.Result.Code);
    }

    [Fact]
    public async Task Block_UnknownAccount_NotFound()
    {
        Assert.Equal(ResultCode.NotFound, (await _h.BlockAsync("alice", "ghost")).Result.Code);
    }

    [Fact]
    public async Task Decline_PendingRequest_ClearsBothSides()
    {
        await _h.RequestAsync("alice", "bob");

        var reply = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsDeclineRequest, new DeclineFriendRequestRequest { ClientRequestId = "d1", AccountId = "alice" }, "bob"));

        Assert.Equal(FriendRelation.None, reply.FriendAction.Relation);
        Assert.Empty((await _h.ListAsync("bob")).Incoming);
        Assert.Empty((await _h.ListAsync("alice")).Outgoing);
    }

    [Fact]
    public async Task Cancel_OwnRequest_ClearsBothSides()
    {
        await _h.RequestAsync("alice", "bob");

        var reply = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsCancelRequest, new CancelFriendRequestRequest { ClientRequestId = "c1", AccountId = "bob" }, "alice"));

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Empty((await _h.ListAsync("bob")).Incoming);
        Assert.Empty((await _h.ListAsync("alice")).Outgoing);
    }

    [Fact]
    public async Task AcceptDeclineCancelRemove_WithoutMatchingRelation_NotFound()
    {
        Assert.Equal(ResultCode.NotFound, (await _h.AcceptAsync("bob", "alice")).Result.Code);
        Assert.Equal(ResultCode.NotFound, FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsDeclineRequest, new DeclineFriendRequestRequest { ClientRequestId = "d", AccountId = "alice" }, "bob")).Result.Code);
        Assert.Equal(ResultCode.NotFound, FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsCancelRequest, new CancelFriendRequestRequest { ClientRequestId = "c", AccountId = "alice" }, "bob")).Result.Code);
        Assert.Equal(ResultCode.NotFound, FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsRemove, new RemoveFriendRequest { ClientRequestId = "x", AccountId = "alice" }, "bob")).Result.Code);

        // The requester cannot accept their own request.
        await _h.RequestAsync("alice", "bob");
        Assert.Equal(ResultCode.NotFound, (await _h.AcceptAsync("alice", "bob")).Result.Code);
    }

    [Fact]
    public async Task Remove_Friend_BothSidesClearedAndOtherToldIfOnline()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.OnlineAsync("bob");

        var outgoing = await _h.SendAsync(MessageTypes.FriendsRemove, new RemoveFriendRequest { ClientRequestId = "x1", AccountId = "bob" }, "alice");

        Assert.Equal(FriendRelation.None, FriendsHarness.ReplyOf(outgoing).FriendAction.Relation);
        Assert.Equal(("bob", "alice"), (FriendsHarness.PushesOf(outgoing)[0].Player, FriendsHarness.PushesOf(outgoing)[0].Event.FriendRemoved.AccountId));
        Assert.Empty((await _h.ListAsync("alice")).Friends);
        Assert.Empty((await _h.ListAsync("bob")).Friends);
    }

    [Fact]
    public async Task Requests_WithoutAccountOrClientRequestId_Refused()
    {
        var noPlayer = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsList, new ListFriendsRequest(), null));
        var noRequestId = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { AccountId = "bob" }, "alice"));
        var noTarget = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = "r" }, "alice"));

        Assert.Equal(ResultCode.NotAuthenticated, noPlayer.Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, noRequestId.Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, noTarget.Result.Code);
    }
}
