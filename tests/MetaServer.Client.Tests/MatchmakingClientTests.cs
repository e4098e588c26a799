using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.Client.Tests;

/// <summary>The matchmaking and leaderboard methods of <see cref="MetaServerClient"/>: what they send, return, throw and wait for.</summary>
public sealed class MatchmakingClientTests
{
    [Fact]
    public async Task StartMatchmakingAsync_OkReply_SendsModeLatencyAndRequestIdReturnsTicket()
    {
        await using var connected = await Connected.StartAsync();
        var pending = connected.Client.StartMatchmakingAsync("ranked-1v1", new Dictionary<string, int> { ["us-east-1"] = 45, ["eu-west-1"] = 120 }, "req-1");

        var request = await connected.Connection.ReceiveAsync().WithTimeout("the start");
        await connected.Connection.SendAsync(Reply(request, new MatchmakingStatus { TicketId = "t1", GameMode = "ranked-1v1", State = MatchmakingState.Queued }));

        Assert.Equal("ranked-1v1", request.StartMatchmaking.GameMode);
        Assert.Equal("req-1", request.StartMatchmaking.ClientRequestId);
        Assert.Equal(45, request.StartMatchmaking.LatencyMs["us-east-1"]);
        Assert.Equal(120, request.StartMatchmaking.LatencyMs["eu-west-1"]);
        var started = await pending.WithTimeout("the reply");
        Assert.Equal("t1", started.Status.TicketId);
        Assert.Equal(MatchmakingState.Queued, started.Status.State);
    }

    [Fact]
    public async Task StartMatchmakingAsync_NoRequestId_GeneratesOneAndThrowsAlreadyQueued()
    {
        await using var connected = await Connected.StartAsync();
        var pending = connected.Client.StartMatchmakingAsync("casual");

        var request = await connected.Connection.ReceiveAsync().WithTimeout("the start");
        await connected.Connection.SendAsync(new Envelope
        {
            RequestId = request.RequestId,
            Result = new Result { Code = ResultCode.AlreadyQueued, Message = "ticket t0 has not ended" },
        });

        var error = await Assert.ThrowsAsync<MetaServerRequestException>(() => pending).WithTimeout("the error");
        Assert.NotEmpty(request.StartMatchmaking.ClientRequestId);
        Assert.Empty(request.StartMatchmaking.LatencyMs);
        Assert.Equal(ResultCode.AlreadyQueued, error.Code);
    }

    [Fact]
    public async Task CancelAcceptAndStatus_OkReplies_SendTicketAndAnswerReturnStatus()
    {
        await using var connected = await Connected.StartAsync();

        var cancel = connected.Client.CancelMatchmakingAsync("t1");
        var cancelRequest = await connected.Connection.ReceiveAsync().WithTimeout("the cancel");
        await connected.Connection.SendAsync(Reply(cancelRequest, new MatchmakingStatus { TicketId = "t1", State = MatchmakingState.Cancelled }));
        var cancelled = await cancel.WithTimeout("the cancel reply");

        var reject = connected.Client.AcceptMatchAsync("t2", accept: false);
        var rejectRequest = await connected.Connection.ReceiveAsync().WithTimeout("the reject");
        await connected.Connection.SendAsync(Reply(rejectRequest, new MatchmakingStatus { TicketId = "t2", State = MatchmakingState.RequiresAcceptance }));
        await reject.WithTimeout("the reject reply");

        var status = connected.Client.GetMatchmakingStatusAsync();
        var statusRequest = await connected.Connection.ReceiveAsync().WithTimeout("the status");
        await connected.Connection.SendAsync(new Envelope { RequestId = statusRequest.RequestId, Result = new Result(), Matchmaking = new MatchmakingResponse() });
        var none = await status.WithTimeout("the status reply");

        Assert.Equal(new CancelMatchmakingRequest { TicketId = "t1" }, cancelRequest.CancelMatchmaking);
        Assert.Equal(MatchmakingState.Cancelled, cancelled.Status.State);
        Assert.Equal(new AcceptMatchRequest { TicketId = "t2", Accept = false }, rejectRequest.AcceptMatch);
        Assert.Equal(Envelope.PayloadOneofCase.GetMatchmakingStatus, statusRequest.PayloadCase);
        Assert.Null(none.Status);
    }

    [Fact]
    public async Task GetLeaderboardAsync_OkReply_SendsViewCountIdReturnsEntries()
    {
        await using var connected = await Connected.StartAsync();
        var pending = connected.Client.GetLeaderboardAsync(LeaderboardView.AroundMe, 5, "season-rating");

        var request = await connected.Connection.ReceiveAsync().WithTimeout("the leaderboard");
        await connected.Connection.SendAsync(new Envelope
        {
            RequestId = request.RequestId,
            Leaderboard = new LeaderboardResponse { Leaderboard = "season-rating", Total = 3, Entries = { new LeaderboardEntry { Rank = 1, AccountId = "a", Score = 9 } } },
        });

        Assert.Equal(new GetLeaderboardRequest { View = LeaderboardView.AroundMe, Count = 5, Leaderboard = "season-rating" }, request.GetLeaderboard);
        var board = await pending.WithTimeout("the reply");
        Assert.Equal(3, board.Total);
        Assert.Equal("a", Assert.Single(board.Entries).AccountId);
    }

    [Fact]
    public async Task GetLeaderboardAsync_ReplyOfOtherKind_ThrowsProtocolException()
    {
        await using var connected = await Connected.StartAsync();
        var pending = connected.Client.GetLeaderboardAsync();

        var request = await connected.Connection.ReceiveAsync().WithTimeout("the leaderboard");
        await connected.Connection.SendAsync(Reply(request, new MatchmakingStatus()));

        await Assert.ThrowsAsync<MetaServerProtocolException>(() => pending).WithTimeout("the error");
        Assert.Equal(new GetLeaderboardRequest { View = LeaderboardView.Top, Count = 10 }, request.GetLeaderboard);
    }

    [Fact]
    public async Task WaitForMatchmakingUpdateAsync_OtherEventsAndTickets_ReturnsFirstMatchingUpdate()
    {
        await using var connected = await Connected.StartAsync();
        await connected.Connection.SendAsync(new Envelope { AccountUpdated = new AccountUpdatedEvent() });
        await connected.Connection.SendAsync(Update("other", MatchmakingState.Searching));
        await connected.Connection.SendAsync(Update("mine", MatchmakingState.Searching));
        await connected.Connection.SendAsync(Update("mine", MatchmakingState.RequiresAcceptance));

        var status = await connected.Client.WaitForMatchmakingUpdateAsync(s => s.TicketId == "mine" && s.State == MatchmakingState.RequiresAcceptance)
            .WithTimeout("the update");

        Assert.Equal("mine", status.TicketId);
        Assert.Equal(MatchmakingState.RequiresAcceptance, status.State);
        Assert.Equal(status, connected.Client.LastMatchmakingUpdate);
    }

    [Fact]
    public async Task WaitForMatchmakingUpdateAsync_ConnectionClosesFirst_ThrowsConnectionClosed()
    {
        await using var connected = await Connected.StartAsync();
        var waiting = connected.Client.WaitForMatchmakingUpdateAsync();

        await connected.Connection.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye");

        await Assert.ThrowsAsync<MetaServerConnectionClosedException>(() => waiting).WithTimeout("the close");
    }

    [Fact]
    public async Task WaitForMatchmakingUpdateAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using var connected = await Connected.StartAsync();
        using var cancel = new CancellationTokenSource();
        var waiting = connected.Client.WaitForMatchmakingUpdateAsync(cancellationToken: cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting).WithTimeout("the cancellation");
        Assert.Null(connected.Client.LastMatchmakingUpdate);
    }

    private static Envelope Reply(Envelope request, MatchmakingStatus status) =>
        new() { RequestId = request.RequestId, Result = new Result { Code = ResultCode.Ok }, Matchmaking = new MatchmakingResponse { Status = status } };

    private static Envelope Update(string ticketId, MatchmakingState state) =>
        new() { MatchmakingUpdate = new MatchmakingUpdateEvent { Status = new MatchmakingStatus { TicketId = ticketId, State = state } } };
}
