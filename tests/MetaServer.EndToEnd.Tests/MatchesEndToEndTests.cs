using MetaServer.Client;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// The whole match loop in the all-in-one host on embedded defaults: queue → offline FlexMatch engine → acceptance →
/// hand-off to a simulated game server → results → rewards, rating and leaderboard.
/// </summary>
public sealed class MatchesEndToEndTests
{
    private static readonly TimeSpan LoopTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Duel_TwoPlayersQueueAndAccept_MatchIsPlayedRewardedRatedAndRanked()
    {
        await using var host = await AllInOneHost.StartAsync(extraArgs: "--MetaServer:GameServers:Simulated:MatchDuration=00:00:00.200");
        await using var alice = await host.ConnectAsync();
        await using var bob = await host.ConnectAsync();
        var aliceLogin = await alice.LoginDeviceAsync("device-e2e-duel-alice").WithTimeout("alice login");
        var bobLogin = await bob.LoginDeviceAsync("device-e2e-duel-bob").WithTimeout("bob login");
        var aliceGold = aliceLogin.Account.Wallet["gold"];
        var bobGold = bobLogin.Account.Wallet["gold"];

        var aliceTicket = (await alice.StartMatchmakingAsync("duel").WithTimeout("alice queues")).Status;
        var bobTicket = (await bob.StartMatchmakingAsync("duel").WithTimeout("bob queues")).Status;
        Assert.Equal("duel", aliceTicket.GameMode);
        Assert.NotEqual(aliceTicket.TicketId, bobTicket.TicketId);

        // The duel configuration requires acceptance: both get the proposed match pushed, both accept.
        await alice.WaitForMatchmakingUpdateAsync(s => s.State == MatchmakingState.RequiresAcceptance).WithTimeout("alice asked to accept", LoopTimeout);
        await bob.WaitForMatchmakingUpdateAsync(s => s.State == MatchmakingState.RequiresAcceptance).WithTimeout("bob asked to accept", LoopTimeout);
        await alice.AcceptMatchAsync(aliceTicket.TicketId, accept: true).WithTimeout("alice accepts");
        await bob.AcceptMatchAsync(bobTicket.TicketId, accept: true).WithTimeout("bob accepts");

        var alicePlaced = await alice.WaitForMatchmakingUpdateAsync(s => s.State == MatchmakingState.Completed).WithTimeout("alice placed", LoopTimeout);
        var bobPlaced = await bob.WaitForMatchmakingUpdateAsync(s => s.State == MatchmakingState.Completed).WithTimeout("bob placed", LoopTimeout);
        Assert.NotEmpty(alicePlaced.Assignment.MatchId);
        Assert.Equal(alicePlaced.Assignment.MatchId, bobPlaced.Assignment.MatchId);
        Assert.Equal("rooftop", alicePlaced.Assignment.Map);
        Assert.NotEqual(alicePlaced.Assignment.Team, bobPlaced.Assignment.Team);

        // The simulated game server plays the match and posts results; accounts applies the match reward and
        // pushes the updated snapshot to each player.
        var aliceAfter = await NextAccountUpdateAsync(alice).WithTimeout("alice rewarded", LoopTimeout);
        var bobAfter = await NextAccountUpdateAsync(bob).WithTimeout("bob rewarded", LoopTimeout);
        Assert.True(aliceAfter.Wallet["gold"] > aliceGold, "the duel reward (win or loss) grants gold");
        Assert.True(bobAfter.Wallet["gold"] > bobGold, "the duel reward (win or loss) grants gold");

        // Ratings moved apart (one won, or both stayed level on a draw) and both players are on the leaderboard.
        var board = await alice.GetLeaderboardAsync(LeaderboardView.Top, 10).WithTimeout("leaderboard");
        Assert.Equal(2, board.Total);
        Assert.Equal(
            new[] { aliceLogin.Account.AccountId, bobLogin.Account.AccountId }.Order(),
            board.Entries.Select(e => e.AccountId).Order());
        Assert.NotNull(board.Me);
        Assert.Equal(aliceLogin.Account.AccountId, board.Me.AccountId);

        // The match is over, so both may queue again.
        var again = await alice.StartMatchmakingAsync("duel").WithTimeout("alice queues again");
        Assert.NotEqual(aliceTicket.TicketId, again.Status.TicketId);
    }

    [Fact]
    public async Task TeamDeathmatch_SoloPlayer_IsMatchedWithBotsAfterTheExpansionAndRewarded()
    {
        // The embedded casual 5v5 rule set lowers the teams' minimum players after 10 s of waiting (expansions), and
        // the game mode fills the empty slots with bots: a developer alone on a laptop still gets a match.
        await using var host = await AllInOneHost.StartAsync(extraArgs: "--MetaServer:GameServers:Simulated:MatchDuration=00:00:00.200");
        await using var solo = await host.ConnectAsync();
        var login = await solo.LoginDeviceAsync("device-e2e-solo-bots").WithTimeout("login");

        var ticket = (await solo.StartMatchmakingAsync("team-deathmatch").WithTimeout("queue")).Status;
        var placed = await solo.WaitForMatchmakingUpdateAsync(s => s.State == MatchmakingState.Completed).WithTimeout("placed with bots", LoopTimeout);

        Assert.Equal(ticket.TicketId, placed.TicketId);
        Assert.NotEmpty(placed.Assignment.MatchId);
        Assert.Contains(placed.Assignment.Map, new[] { "harbor", "refinery" });
        var after = await NextAccountUpdateAsync(solo).WithTimeout("rewarded", LoopTimeout);
        Assert.True(after.Wallet["gold"] > login.Account.Wallet["gold"], "the team-deathmatch reward grants gold");
    }

    [Fact]
    public async Task StartMatchmaking_UnknownModeAndAlreadyQueued_AreRefusedWithClearCodesAndCancelFreesThePlayer()
    {
        await using var host = await AllInOneHost.StartAsync();
        await using var client = await host.ConnectAsync();
        await client.LoginDeviceAsync("device-e2e-queue-errors").WithTimeout("login");

        var unknown = await Assert.ThrowsAsync<MetaServerRequestException>(() => client.StartMatchmakingAsync("capture-the-flag")).WithTimeout("unknown mode");
        Assert.Equal(ResultCode.NotFound, unknown.Code);

        var first = await client.StartMatchmakingAsync("free-for-all").WithTimeout("queue");
        var second = await Assert.ThrowsAsync<MetaServerRequestException>(() => client.StartMatchmakingAsync("duel")).WithTimeout("queue twice");
        Assert.Equal(ResultCode.AlreadyQueued, second.Code);

        var cancelled = await client.CancelMatchmakingAsync(first.Status.TicketId).WithTimeout("cancel");
        Assert.Equal(first.Status.TicketId, cancelled.Status.TicketId);
        Assert.Equal(MatchmakingState.Cancelled, cancelled.Status.State);

        // The cancelled ticket no longer holds the player.
        var requeued = await client.StartMatchmakingAsync("duel").WithTimeout("queue after cancel");
        Assert.NotEqual(first.Status.TicketId, requeued.Status.TicketId);
    }

    private static async Task<AccountSnapshot> NextAccountUpdateAsync(MetaServerClient client)
    {
        while (await client.Events.WaitToReadAsync())
        {
            while (client.Events.TryRead(out var envelope))
            {
                if (envelope.PayloadCase == Envelope.PayloadOneofCase.AccountUpdated)
                {
                    return envelope.AccountUpdated.Account;
                }
            }
        }

        throw new InvalidOperationException("The connection closed before an account update arrived.");
    }
}
