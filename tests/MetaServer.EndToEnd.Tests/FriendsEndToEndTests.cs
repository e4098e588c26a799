using MetaServer.Cli;
using MetaServer.Client;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// Friends in the all-in-one host over real WebSockets with several clients: requests by id and by friend code with
/// the pushes arriving on the other client, accept, presence changes seen by friends (online, in queue, offline),
/// remove, and the FRIENDS leaderboard view reading the friend graph.
/// </summary>
public sealed class FriendsEndToEndTests
{
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FriendFlow_RequestsAcceptPresenceAndRemove_PushesArriveOnTheOtherClients()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var alice = await host.ConnectAsync();
        await using var bob = await host.ConnectAsync();
        await using var carol = await host.ConnectAsync();
        var aliceId = (await alice.LoginDeviceAsync("device-e2e-friends-alice").WithTimeout("alice login")).Account.AccountId;
        var bobId = (await bob.LoginDeviceAsync("device-e2e-friends-bob").WithTimeout("bob login")).Account.AccountId;
        var carolId = (await carol.LoginDeviceAsync("device-e2e-friends-carol").WithTimeout("carol login")).Account.AccountId;

        // By account id: bob is told at once, accepts, alice is told.
        var sent = await alice.SendFriendRequestAsync(bobId).WithTimeout("alice asks bob");
        Assert.Equal(FriendRelation.Outgoing, sent.Relation);
        var received = await bob.WaitForFriendEventAsync(e => e.FriendRequestReceived?.From.AccountId == aliceId).WithTimeout("bob gets the request", PushTimeout);
        Assert.False(string.IsNullOrEmpty(received.FriendRequestReceived.From.Nickname));
        Assert.Equal(aliceId, Assert.Single((await bob.ListFriendsAsync().WithTimeout("bob lists")).Incoming).AccountId);
        Assert.Equal(FriendRelation.Friend, (await bob.AcceptFriendRequestAsync(aliceId).WithTimeout("bob accepts")).Relation);
        var accepted = await alice.WaitForFriendEventAsync(e => e.FriendRequestAccepted?.Friend.AccountId == bobId).WithTimeout("alice told", PushTimeout);
        Assert.Equal(FriendPresence.Online, accepted.FriendRequestAccepted.Friend.Presence);

        // By friend code: carol accepts.
        var carolCode = await carol.GetFriendCodeAsync().WithTimeout("carol's code");
        await alice.SendFriendRequestByCodeAsync(carolCode.ToLowerInvariant()).WithTimeout("alice adds carol by code");
        await carol.WaitForFriendEventAsync(e => e.FriendRequestReceived?.From.AccountId == aliceId).WithTimeout("carol gets the request", PushTimeout);
        await carol.AcceptFriendRequestAsync(aliceId).WithTimeout("carol accepts");

        var list = await alice.ListFriendsAsync().WithTimeout("alice lists");
        Assert.Equal(new[] { bobId, carolId }.Order(), list.Friends.Select(f => f.AccountId).Order());
        Assert.All(list.Friends, f => Assert.Equal(FriendPresence.Online, f.Presence));

        // Errors are typed.
        var twice = await Assert.ThrowsAsync<MetaServerRequestException>(() => alice.SendFriendRequestAsync(bobId)).WithTimeout("ask again");
        Assert.Equal(ResultCode.AlreadyFriends, twice.Code);
        var self = await Assert.ThrowsAsync<MetaServerRequestException>(() => alice.SendFriendRequestAsync(aliceId)).WithTimeout("ask self");
        Assert.Equal(ResultCode.InvalidArgument, self.Code);

        // Bob queues: alice sees him in queue; he cancels: online again.
        var ticket = (await bob.StartMatchmakingAsync("duel").WithTimeout("bob queues")).Status;
        await alice.WaitForFriendEventAsync(e => e.FriendPresence?.AccountId == bobId && e.FriendPresence.Presence == FriendPresence.InQueue)
            .WithTimeout("alice sees bob in queue", PushTimeout);
        Assert.Equal(FriendPresence.InQueue, (await alice.ListFriendsAsync().WithTimeout("list while queued")).Friends.Single(f => f.AccountId == bobId).Presence);
        await bob.CancelMatchmakingAsync(ticket.TicketId).WithTimeout("bob cancels");
        await alice.WaitForFriendEventAsync(e => e.FriendPresence?.AccountId == bobId && e.FriendPresence.Presence == FriendPresence.Online)
            .WithTimeout("alice sees bob back online", PushTimeout);

        // Carol disconnects: alice sees her offline; she logs in again: online.
        await carol.DisposeAsync();
        await alice.WaitForFriendEventAsync(e => e.FriendPresence?.AccountId == carolId && e.FriendPresence.Presence == FriendPresence.Offline)
            .WithTimeout("alice sees carol offline", PushTimeout);
        await using (var carolAgain = await host.ConnectAsync())
        {
            await carolAgain.LoginDeviceAsync("device-e2e-friends-carol").WithTimeout("carol again");
            await alice.WaitForFriendEventAsync(e => e.FriendPresence?.AccountId == carolId && e.FriendPresence.Presence == FriendPresence.Online)
                .WithTimeout("alice sees carol online", PushTimeout);
        }

        // The FRIENDS leaderboard view reads the friend graph (no longer UNAVAILABLE).
        var board = await alice.GetLeaderboardAsync(LeaderboardView.Friends, 10).WithTimeout("friends leaderboard");
        Assert.NotNull(board);

        // Alice removes bob: bob is told, both lists drop the friendship.
        await alice.RemoveFriendAsync(bobId).WithTimeout("alice removes bob");
        await bob.WaitForFriendEventAsync(e => e.FriendRemoved?.AccountId == aliceId).WithTimeout("bob told", PushTimeout);
        Assert.DoesNotContain((await alice.ListFriendsAsync().WithTimeout("alice lists again")).Friends, f => f.AccountId == bobId);
        Assert.Empty((await bob.ListFriendsAsync().WithTimeout("bob lists again")).Friends);
    }

    [Fact]
    public async Task BlockedPlayer_CannotSendRequests_BlockedCode()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var alice = await host.ConnectAsync();
        await using var bob = await host.ConnectAsync();
        var aliceId = (await alice.LoginDeviceAsync("device-e2e-block-alice").WithTimeout("alice login")).Account.AccountId;
        await bob.LoginDeviceAsync("device-e2e-block-bob").WithTimeout("bob login");
        var bobId = (await bob.GetAccountAsync().WithTimeout("bob account")).Account.AccountId;

        Assert.Equal(FriendRelation.Blocked, (await bob.BlockPlayerAsync(aliceId).WithTimeout("bob blocks alice")).Relation);

        var refused = await Assert.ThrowsAsync<MetaServerRequestException>(() => alice.SendFriendRequestAsync(bobId)).WithTimeout("alice asks");
        Assert.Equal(ResultCode.Blocked, refused.Code);
        var unknown = await Assert.ThrowsAsync<MetaServerRequestException>(() => alice.SendFriendRequestAsync("no-such-account")).WithTimeout("unknown");
        Assert.Equal(ResultCode.NotFound, unknown.Code);
    }

    [Fact]
    public async Task Cli_AddByCodeAcceptAndList_PrintsTheFriendship()
    {
        await using var host = await AllInOneHost.StartAsync();
        var url = host.WebSocketUri.ToString();
        var dir = Path.Combine(host.DataDir, "cli");
        var aliceToken = Path.Combine(dir, "alice.json");
        var bobToken = Path.Combine(dir, "bob.json");
        using var error = new StringWriter();
        Assert.Equal(CliApp.ExitOk, await CliApp.RunAsync(["login", "--device", "cli-friends-alice", "--url", url, "--token-file", aliceToken], new StringWriter(), error).WithTimeout("alice login"));
        Assert.Equal(CliApp.ExitOk, await CliApp.RunAsync(["login", "--device", "cli-friends-bob", "--url", url, "--token-file", bobToken], new StringWriter(), error).WithTimeout("bob login"));

        using var codeOut = new StringWriter();
        Assert.Equal(CliApp.ExitOk, await CliApp.RunAsync(["friends", "code", "--url", url, "--token-file", bobToken], codeOut, error).WithTimeout("bob's code"));
        var code = codeOut.ToString().Trim()["friend code:".Length..].Trim();
        using var addOut = new StringWriter();
        Assert.Equal(CliApp.ExitOk, await CliApp.RunAsync(["friends", "add", code, "--code", "--url", url, "--token-file", aliceToken], addOut, error).WithTimeout("alice adds"));
        using var bobList = new StringWriter();
        Assert.Equal(CliApp.ExitOk, await CliApp.RunAsync(["friends", "list", "--url", url, "--token-file", bobToken], bobList, error).WithTimeout("bob lists"));
        var aliceId = bobList.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.Contains("(", StringComparison.Ordinal) && l.Contains("level", StringComparison.Ordinal))
            .Split('(', ',')[1];
        using var acceptOut = new StringWriter();
        var accept = await CliApp.RunAsync(["friends", "accept", aliceId, "--url", url, "--token-file", bobToken], acceptOut, error).WithTimeout("bob accepts");
        using var again = new StringWriter();
        using var againError = new StringWriter();
        var twice = await CliApp.RunAsync(["friends", "add", code, "--code", "--url", url, "--token-file", aliceToken], again, againError).WithTimeout("alice adds again");

        Assert.True(accept == CliApp.ExitOk, $"{acceptOut}\n{error}");
        Assert.Contains("request to", addOut.ToString(), StringComparison.Ordinal);
        Assert.Contains("incoming requests (1)", bobList.ToString(), StringComparison.Ordinal);
        Assert.Contains("is your friend", acceptOut.ToString(), StringComparison.Ordinal);
        Assert.Equal(CliApp.ExitRefused, twice);
        Assert.Contains("AlreadyFriends", againError.ToString(), StringComparison.Ordinal);
    }
}
