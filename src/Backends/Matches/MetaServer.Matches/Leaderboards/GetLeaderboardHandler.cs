using Google.Protobuf;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using StorageEntry = MetaServer.Storage.LeaderboardEntry;
using WireEntry = MetaServer.Protocol.V1.LeaderboardEntry;

namespace MetaServer.Matches.Leaderboards;

/// <summary>
/// <c>matches.get-leaderboard</c> (routed client request): the rating leaderboard of the current season
/// (leaderboard <c>""</c> or <c>rating</c>) or of a still readable past season (<c>rating.&lt;season id&gt;</c>).
/// Views: TOP (the first <c>count</c>, 1..100, default 10), AROUND_ME (the player and up to <c>count</c> above and
/// below), FRIENDS (the player and their friends ranked among themselves, at most <c>count</c>, global ranks shown;
/// UNAVAILABLE while no friend list source exists). Nicknames come from <see cref="IAccountSummaryCache"/>; a player
/// missing from the cache shows an empty nickname.
/// </summary>
public sealed partial class GetLeaderboardHandler(
    ILeaderboardStore leaderboards,
    LeaderboardSeasons seasons,
    IAccountSummaryCache summaries,
    IFriendListSource friends,
    TimeProvider timeProvider,
    ILogger<GetLeaderboardHandler> logger) : IMessageHandler
{
    public const int DefaultCount = 10;
    public const int MaxCount = 100;

    public string MessageType => MessageTypes.MatchesGetLeaderboard;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        GetLeaderboardRequest request;
        try
        {
            request = GetLeaderboardRequest.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodable(message.Envelope.MessageId);
            return ClientReplies.Error(message, ResultCode.InvalidArgument, "The request could not be decoded.", timeProvider);
        }

        var accountId = message.Envelope.PlayerId;
        if (string.IsNullOrEmpty(accountId) || accountId.Length > StorageIds.MaxLength)
        {
            return ClientReplies.Error(message, ResultCode.NotAuthenticated, "The request needs a logged-in account.", timeProvider);
        }

        var count = request.Count == 0 ? DefaultCount : request.Count;
        if (count is < 1 or > MaxCount)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, $"count must be 1 to {MaxCount} (0 means {DefaultCount}).", timeProvider);
        }

        var now = timeProvider.GetUtcNow();
        var name = request.Leaderboard.Length == 0 ? LeaderboardSeasons.RatingLeaderboard : request.Leaderboard;
        LeaderboardSeason? season;
        if (string.Equals(name, LeaderboardSeasons.RatingLeaderboard, StringComparison.Ordinal))
        {
            season = seasons.At(now);
        }
        else if (name.StartsWith(LeaderboardSeasons.RatingLeaderboard + ".", StringComparison.Ordinal))
        {
            season = seasons.Readable(name[(LeaderboardSeasons.RatingLeaderboard.Length + 1)..], now);
        }
        else
        {
            season = null;
        }

        if (season is null)
        {
            return ClientReplies.Error(message, ResultCode.NotFound, "There is no such leaderboard (or its season is no longer kept).", timeProvider);
        }

        var board = leaderboards.Get(season.BoardId);
        IReadOnlyList<StorageEntry> entries;
        switch (request.View)
        {
            case LeaderboardView.Top:
                entries = await board.GetTopAsync(count, cancellationToken);
                break;
            case LeaderboardView.AroundMe:
                entries = await board.GetNeighboursAsync(accountId, Math.Min(count, ILeaderboard.MaxNeighbours), cancellationToken);
                break;
            case LeaderboardView.Friends:
                var friendIds = await friends.GetFriendIdsAsync(accountId, cancellationToken);
                if (friendIds is null)
                {
                    return ClientReplies.Error(message, ResultCode.Unavailable, "Friend lists are not available on this server yet, so there is no friends leaderboard.", timeProvider);
                }

                entries = await FriendsAsync(board, accountId, friendIds, count, cancellationToken);
                break;
            default:
                return ClientReplies.Error(message, ResultCode.InvalidArgument, "view must be TOP, AROUND_ME or FRIENDS.", timeProvider);
        }

        var me = await board.GetEntryAsync(accountId, cancellationToken);
        var nicknames = await summaries.GetManyAsync([.. entries.Select(e => e.PlayerId).Append(accountId).Distinct(StringComparer.Ordinal)], cancellationToken);
        var response = new LeaderboardResponse
        {
            Leaderboard = season.BoardId,
            Season = season.Id,
            SeasonEndsAtUnixMs = season.EndsAt?.ToUnixTimeMilliseconds() ?? 0,
            Total = await board.CountAsync(cancellationToken),
        };
        response.Entries.AddRange(entries.Select(e => ToWire(e, nicknames)));
        if (me is not null)
        {
            response.Me = ToWire(me, nicknames);
        }

        return ClientReplies.Ok(message, new Envelope { Leaderboard = response }, timeProvider);
    }

    private static async ValueTask<IReadOnlyList<StorageEntry>> FriendsAsync(ILeaderboard board, string accountId, IReadOnlyList<string> friendIds, int count, CancellationToken cancellationToken)
    {
        var ids = friendIds
            .Where(id => !string.IsNullOrEmpty(id) && id.Length <= StorageIds.MaxLength && !id.Any(char.IsControl))
            .Take(IFriendListSource.MaxFriends)
            .Prepend(accountId)
            .Distinct(StringComparer.Ordinal);
        var found = new List<StorageEntry>();
        foreach (var id in ids)
        {
            if (await board.GetEntryAsync(id, cancellationToken) is { } entry)
            {
                found.Add(entry);
            }
        }

        return [.. found.OrderBy(e => e.Rank).Take(count)];
    }

    private static WireEntry ToWire(StorageEntry entry, IReadOnlyDictionary<string, AccountSummary> nicknames) => new()
    {
        Rank = entry.Rank,
        AccountId = entry.PlayerId,
        Nickname = nicknames.TryGetValue(entry.PlayerId, out var summary) ? summary.Nickname : string.Empty,
        Score = entry.Score,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leaderboard request {MessageId} could not be decoded")]
    private partial void LogUndecodable(string messageId);
}
