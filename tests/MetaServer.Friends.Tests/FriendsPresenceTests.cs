using MetaServer.Friends.Service;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;

namespace MetaServer.Friends.Tests;

/// <summary>Friend codes, the friend list with presence and summaries, and the session/activity notices.</summary>
public sealed class FriendsPresenceTests : IDisposable
{
    private readonly FriendsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<string> CodeOfAsync(string who)
    {
        var reply = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsGetCode, new GetFriendCodeRequest(), who));
        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        return reply.FriendCode.FriendCode;
    }

    [Fact]
    public async Task GetCode_FirstAndLaterCalls_SameValidCodeUniquePerPlayer()
    {
        var alice = await CodeOfAsync("alice");

        Assert.Equal(alice, await CodeOfAsync("alice"));
        Assert.Equal(FriendCodes.Length, alice.Length);
        Assert.Equal(alice, FriendCodes.Normalize(alice));
        Assert.NotEqual(alice, await CodeOfAsync("bob"));
        Assert.Equal(alice, (await _h.ListAsync("alice")).FriendCode);
    }

    [Fact]
    public async Task SendRequest_ByFriendCode_ReachesOwnerInAnyCaseAndWithDashes()
    {
        var code = await CodeOfAsync("bob");
        var typed = code[..4].ToLowerInvariant() + "-" + code[4..];

        var reply = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = "r1", FriendCode = typed }, "alice"));

        Assert.Equal(("bob", FriendRelation.Outgoing), (reply.FriendAction.AccountId, reply.FriendAction.Relation));
    }

    [Theory]
    [InlineData("ABC", ResultCode.InvalidArgument)]
    [InlineData("OOOOOOOO", ResultCode.InvalidArgument)]
    [InlineData("22222222", ResultCode.NotFound)]
    public async Task SendRequest_BadOrUnknownFriendCode_Refused(string code, ResultCode expected)
    {
        var reply = FriendsHarness.ReplyOf(await _h.SendAsync(MessageTypes.FriendsSendRequest, new SendFriendRequestRequest { ClientRequestId = "r1", FriendCode = code }, "alice"));

        Assert.Equal(expected, reply.Result.Code);
    }

    [Fact]
    public async Task List_HundredsOfFriends_OneAnswerWithSummariesAndPresenceInFewBatches()
    {
        const int count = 300;
        var ids = Enumerable.Range(0, count).Select(i => $"p{i:D3}").ToList();
        foreach (var id in ids)
        {
            _h.Accounts.Add(id, "Nick-" + id);
        }

        // Half of the summaries are cached (with a level); the rest come from the accounts store in one batch.
        foreach (var id in ids.Take(count / 2))
        {
            await _h.Summaries.SetAsync(new AccountSummary { AccountId = id, Revision = 1, Nickname = "Cached-" + id, Level = 12 });
        }

        var graphs = _h.Get<GraphStore>();
        var record = new GraphRecord();
        foreach (var id in ids)
        {
            record = record.With(id, new RelationEntry { Kind = RelationKind.Friend, Since = _h.Clock.GetUtcNow() });
        }

        Assert.True(await graphs.TryWriteAsync(await graphs.ReadAsync("alice", CancellationToken.None), record, CancellationToken.None));
        await _h.OnlineAsync("p000");
        await _h.OnlineAsync("p299");
        await _h.ActivityAsync("p299", PlayerActivity.InMatch, _h.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        var readsBefore = _h.Accounts.ManyReads;

        var list = await _h.ListAsync("alice");

        Assert.Equal(count, list.Friends.Count);
        Assert.Equal(1, _h.Accounts.ManyReads - readsBefore);
        Assert.Equal(["p000", "p299"], list.Friends.Take(2).Select(f => f.AccountId).Order());
        var byId = list.Friends.ToDictionary(f => f.AccountId);
        Assert.Equal((FriendPresence.Online, "Cached-p000", 12), (byId["p000"].Presence, byId["p000"].Nickname, byId["p000"].Level));
        Assert.Equal((FriendPresence.InMatch, "Nick-p299"), (byId["p299"].Presence, byId["p299"].Nickname));
        Assert.Equal(FriendPresence.Offline, byId["p100"].Presence);

        // The misses were cached: a second list reads no accounts.
        await _h.ListAsync("alice");
        Assert.Equal(1, _h.Accounts.ManyReads - readsBefore);
    }

    [Fact]
    public async Task SessionNotices_OnlineThenOffline_PushedToOnlineFriendsOnly()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.MakeFriendsAsync("alice", "carol");
        await _h.OnlineAsync("bob");
        await _h.OnlineAsync("alice");

        var online = FriendsHarness.PushesOf(await _h.SessionAsync("alice", "alice-s1", online: true));

        var push = Assert.Single(online);
        Assert.Equal(("bob", "alice", FriendPresence.Online), (push.Player, push.Event.FriendPresence.AccountId, push.Event.FriendPresence.Presence));

        await _h.Sessions.UnregisterAsync("alice", "alice-s1");
        var offline = FriendsHarness.PushesOf(await _h.SessionAsync("alice", "alice-s1", online: false));

        Assert.Equal(FriendPresence.Offline, Assert.Single(offline).Event.FriendPresence.Presence);
    }

    [Fact]
    public async Task SessionNotice_OfflineOfOldSessionWhileNewerLives_Ignored()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.OnlineAsync("bob");
        await _h.OnlineAsync("alice", "s2");

        Assert.Empty(await _h.SessionAsync("alice", "alice-s1", online: false));
    }

    [Fact]
    public async Task ActivityNotices_ChangesPushedOlderIgnored()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.OnlineAsync("alice");
        await _h.OnlineAsync("bob");
        var t0 = _h.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        var queued = FriendsHarness.PushesOf(await _h.ActivityAsync("alice", PlayerActivity.InQueue, t0));
        var stale = await _h.ActivityAsync("alice", PlayerActivity.Idle, t0 - 1);
        var same = await _h.ActivityAsync("alice", PlayerActivity.InQueue, t0 + 1);
        var inMatch = FriendsHarness.PushesOf(await _h.ActivityAsync("alice", PlayerActivity.InMatch, t0 + 2));

        Assert.Equal(("bob", FriendPresence.InQueue), (Assert.Single(queued).Player, queued[0].Event.FriendPresence.Presence));
        Assert.Empty(stale);
        Assert.Empty(same);
        Assert.Equal(FriendPresence.InMatch, Assert.Single(inMatch).Event.FriendPresence.Presence);
        Assert.Equal(FriendPresence.InMatch, (await _h.ListAsync("bob")).Friends[0].Presence);
    }

    [Fact]
    public async Task ActivityNotices_SameMillisecond_LaterDeliveryWinsRepeatIgnored()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.OnlineAsync("alice");
        await _h.OnlineAsync("bob");
        var t0 = _h.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        await _h.ActivityAsync("alice", PlayerActivity.InQueue, t0);
        var cancelled = FriendsHarness.PushesOf(await _h.ActivityAsync("alice", PlayerActivity.Idle, t0));
        var repeat = await _h.ActivityAsync("alice", PlayerActivity.Idle, t0);

        Assert.Equal(FriendPresence.Online, Assert.Single(cancelled).Event.FriendPresence.Presence);
        Assert.Empty(repeat);
    }

    [Fact]
    public async Task Activity_OlderThanMaxAge_ShowsOnline()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.OnlineAsync("alice");
        await _h.ActivityAsync("alice", PlayerActivity.InMatch, _h.Clock.GetUtcNow().ToUnixTimeMilliseconds());

        _h.Clock.Advance(TimeSpan.FromHours(4));

        Assert.Equal(FriendPresence.Online, (await _h.ListAsync("bob")).Friends[0].Presence);
    }

    [Fact]
    public async Task ActivityNotice_OfflinePlayer_StoredButNoPush()
    {
        await _h.MakeFriendsAsync("alice", "bob");
        await _h.OnlineAsync("bob");

        Assert.Empty(await _h.ActivityAsync("alice", PlayerActivity.InQueue, _h.Clock.GetUtcNow().ToUnixTimeMilliseconds()));
        Assert.Equal(FriendPresence.Offline, (await _h.ListAsync("bob")).Friends[0].Presence);
    }

    [Fact]
    public async Task Notices_Malformed_DroppedWithoutOutput()
    {
        Assert.Empty(await _h.ActivityAsync("alice", PlayerActivity.Unspecified, 5));
        Assert.Empty(await _h.SendAsync(MessageTypes.FriendsPlayerSession, new PlayerSessionNotice { AccountId = "alice" }, "alice"));
    }
}
