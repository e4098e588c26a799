using Google.Protobuf;
using MetaServer.Matches.Leaderboards;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Leaderboards;

public sealed class GetLeaderboardHandlerTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
    private readonly EmbeddedLeaderboardStore _store = new();
    private readonly LeaderboardSeasons _seasons = new(Options.Create(new LeaderboardOptions()));
    private readonly EmbeddedAccountSummaryCache _summaries;

    public GetLeaderboardHandlerTests() => _summaries = new EmbeddedAccountSummaryCache(_time, TimeSpan.FromHours(1));

    private ILeaderboard November => _store.Get("rating.2026-11");

    private async Task SeedAsync(int players)
    {
        for (var i = 1; i <= players; i++)
        {
            await November.SubmitAsync($"p{i:D2}", 1000 + (i * 10), ScoreUpdate.Replace);
            await _summaries.SetAsync(new AccountSummary { AccountId = $"p{i:D2}", Revision = 1, Nickname = $"Nick{i}" });
        }
    }

    private async Task<ClientReply> AskAsync(GetLeaderboardRequest request, string? playerId = "p05", IFriendListSource? friends = null)
    {
        var handler = new GetLeaderboardHandler(_store, _seasons, _summaries, friends ?? new NoFriendListSource(), _time, NullLogger<GetLeaderboardHandler>.Instance);
        var message = new IncomingMessage(
            new MessageEnvelope
            {
                MessageType = MessageTypes.MatchesGetLeaderboard,
                MessageId = "m1",
                ReplyTo = "v1-reply-fe-1",
                PlayerId = playerId,
                DeploymentVersion = "v1",
                Payload = request.ToByteArray(),
            },
            "v1-req-matches-get-leaderboard",
            1);
        var outgoing = Assert.Single(await handler.HandleAsync(message, CancellationToken.None));
        Assert.Equal("v1-reply-fe-1", outgoing.QueueName);
        return ClientReply.Parser.ParseFrom(outgoing.Envelope.Payload.Span);
    }

    [Fact]
    public async Task Handle_Top_ReturnsFirstEntriesWithNicknamesSeasonAndMe()
    {
        await SeedAsync(12);

        var reply = await AskAsync(new GetLeaderboardRequest { View = LeaderboardView.Top, Count = 3 });

        Assert.Equal(ResultCode.Ok, reply.Envelope.Result.Code);
        var board = reply.Envelope.Leaderboard;
        Assert.Equal("rating.2026-11", board.Leaderboard);
        Assert.Equal("2026-11", board.Season);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), board.SeasonEndsAtUnixMs);
        Assert.Equal(12, board.Total);
        Assert.Equal(["p12", "p11", "p10"], board.Entries.Select(e => e.AccountId));
        Assert.Equal([1L, 2, 3], board.Entries.Select(e => e.Rank));
        Assert.Equal("Nick12", board.Entries[0].Nickname);
        Assert.Equal(1120, board.Entries[0].Score);
        Assert.Equal(8, board.Me.Rank);
        Assert.Equal("Nick5", board.Me.Nickname);
    }

    [Fact]
    public async Task Handle_AroundMe_ReturnsNeighbours()
    {
        await SeedAsync(12);

        var reply = await AskAsync(new GetLeaderboardRequest { View = LeaderboardView.AroundMe, Count = 2 });

        Assert.Equal(["p07", "p06", "p05", "p04", "p03"], reply.Envelope.Leaderboard.Entries.Select(e => e.AccountId));
        Assert.Equal([6L, 7, 8, 9, 10], reply.Envelope.Leaderboard.Entries.Select(e => e.Rank));
    }

    [Fact]
    public async Task Handle_Friends_RanksPlayerAndFriendsAmongThemselvesWithGlobalRanks()
    {
        await SeedAsync(12);
        var friends = new FixedFriends(["p02", "p09", "p-without-score"]);

        var reply = await AskAsync(new GetLeaderboardRequest { View = LeaderboardView.Friends, Count = 10 }, friends: friends);

        var entries = reply.Envelope.Leaderboard.Entries;
        Assert.Equal(["p09", "p05", "p02"], entries.Select(e => e.AccountId));
        Assert.Equal([4L, 8, 11], entries.Select(e => e.Rank));
        Assert.Equal("Nick9", entries[0].Nickname);
    }

    [Fact]
    public async Task Handle_FriendsWithoutFriendSource_Unavailable()
    {
        await SeedAsync(3);

        var reply = await AskAsync(new GetLeaderboardRequest { View = LeaderboardView.Friends });

        Assert.Equal(ResultCode.Unavailable, reply.Envelope.Result.Code);
        Assert.Null(reply.Envelope.Leaderboard);
    }

    [Fact]
    public async Task Handle_PastSeasonAndNewSeason_ReadsTheRightBoards()
    {
        await SeedAsync(3);
        _time.Advance(TimeSpan.FromDays(15)); // December: a new, empty board

        var current = await AskAsync(new GetLeaderboardRequest { View = LeaderboardView.Top });
        var past = await AskAsync(new GetLeaderboardRequest { Leaderboard = "rating.2026-11", View = LeaderboardView.Top });
        var gone = await AskAsync(new GetLeaderboardRequest { Leaderboard = "rating.2025-01", View = LeaderboardView.Top });

        Assert.Equal("2026-12", current.Envelope.Leaderboard.Season);
        Assert.Empty(current.Envelope.Leaderboard.Entries);
        Assert.Null(current.Envelope.Leaderboard.Me);
        Assert.Equal(3, past.Envelope.Leaderboard.Entries.Count);
        Assert.Equal(ResultCode.NotFound, gone.Envelope.Result.Code);
    }

    [Theory]
    [InlineData(LeaderboardView.Unspecified, 5)]
    [InlineData(LeaderboardView.Top, 101)]
    [InlineData(LeaderboardView.Top, -1)]
    public async Task Handle_BadViewOrCount_InvalidArgument(LeaderboardView view, int count)
    {
        var reply = await AskAsync(new GetLeaderboardRequest { View = view, Count = count });

        Assert.Equal(ResultCode.InvalidArgument, reply.Envelope.Result.Code);
    }

    [Fact]
    public async Task Handle_NoPlayer_NotAuthenticated()
    {
        var reply = await AskAsync(new GetLeaderboardRequest { View = LeaderboardView.Top }, playerId: null);

        Assert.Equal(ResultCode.NotAuthenticated, reply.Envelope.Result.Code);
    }

    private sealed class FixedFriends(IReadOnlyList<string> ids) : IFriendListSource
    {
        public ValueTask<IReadOnlyList<string>?> GetFriendIdsAsync(string accountId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>?>(ids);
    }
}
