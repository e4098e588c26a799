using Google.Protobuf;
using MetaServer.Matches.Leaderboards;
using MetaServer.Matches.Rating;
using MetaServer.Matches.Results;
using MetaServer.Matches.Storage;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Results;

/// <summary>A <see cref="GameServerReportHandler"/> on an in-memory store and embedded leaderboards, plus builders.</summary>
internal sealed class ResultsHarness
{
    public ResultsHarness(LeaderboardOptions? leaderboardOptions = null)
    {
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        Memory = new InMemoryMatchStore(Time);
        Store = new FaultyMatchStore(Memory);
        Seasons = new LeaderboardSeasons(Options.Create(leaderboardOptions ?? new LeaderboardOptions()));
        Handler = new GameServerReportHandler(
            Store,
            Model,
            Leaderboards,
            Seasons,
            new QueueNames("v1"),
            Options.Create(new MatchResultsOptions { RecentMatchIds = 5 }),
            Time,
            NullLogger<GameServerReportHandler>.Instance);
    }

    public ManualTimeProvider Time { get; }

    public InMemoryMatchStore Memory { get; }

    public FaultyMatchStore Store { get; }

    public RatingModel Model { get; } = new();

    public EmbeddedLeaderboardStore Leaderboards { get; } = new();

    public LeaderboardSeasons Seasons { get; }

    public GameServerReportHandler Handler { get; }

    public ILeaderboard CurrentBoard => Leaderboards.Get(Seasons.At(Time.GetUtcNow()).BoardId);

    public static MatchTeam Team(string name, params string[] players)
    {
        var team = new MatchTeam { Name = name };
        team.Players.AddRange(players.Select(p => new MatchParticipant { PlayerId = p, Bot = p.StartsWith("bot-", StringComparison.Ordinal) }));
        return team;
    }

    public async Task CreateMatchAsync(string matchId, params MatchTeam[] teams)
    {
        var record = new MatchRecord
        {
            MatchId = matchId,
            GameMode = "duel",
            State = MatchRecordState.Created,
            CreatedAtUnixMs = Time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        record.Teams.AddRange(teams);
        Assert.NotNull(await Memory.TryWriteAsync(MatchStoreKeys.Match(matchId), record.ToByteArray(), 0, null));
    }

    public static GameServerReport Result(string matchId, params (string Team, int Rank)[] placements)
    {
        var result = new MatchResultReport { EndedAtUnixMs = 1 };
        result.Placements.AddRange(placements.Select(p => new TeamPlacement { Team = p.Team, Rank = p.Rank }));
        return new GameServerReport { MatchId = matchId, GameServerId = "gs-1", Result = result };
    }

    public static IncomingMessage Message(GameServerReport report) => new(
        new MessageEnvelope
        {
            MessageType = MessageTypes.MatchesGameServerReport,
            MessageId = "m-" + report.MatchId,
            DeploymentVersion = "v1",
            Payload = report.ToByteArray(),
        },
        "v1-req-matches-game-server-report",
        1);

    public ValueTask<IReadOnlyList<OutgoingMessage>> DeliverAsync(GameServerReport report) =>
        Handler.HandleAsync(Message(report), CancellationToken.None);

    public async Task<MatchRecord?> MatchAsync(string matchId)
    {
        var item = await Memory.GetAsync(MatchStoreKeys.Match(matchId));
        return item is null ? null : MatchRecord.Parser.ParseFrom(item.Value.Span);
    }

    public async Task<RatingRecord?> RatingAsync(string playerId)
    {
        var item = await Memory.GetAsync(MatchStoreKeys.Rating(playerId));
        return item is null ? null : RatingRecord.Parser.ParseFrom(item.Value.Span);
    }

    public static Dictionary<string, ApplyMatchResultCommand> Commands(IReadOnlyList<OutgoingMessage> outgoing)
    {
        // The friends service's activity notices (players idle again) go along; they are checked on their own.
        outgoing = [.. outgoing.Where(o => o.Envelope.MessageType != MessageTypes.FriendsPlayerActivity)];
        Assert.All(outgoing, o => Assert.Equal("v1-req-accounts-apply-match-result", o.QueueName));
        Assert.All(outgoing, o => Assert.Equal(MessageTypes.AccountsApplyMatchResult, o.Envelope.MessageType));
        return outgoing
            .Select(o => ApplyMatchResultCommand.Parser.ParseFrom(o.Envelope.Payload.Span))
            .ToDictionary(c => c.AccountId, StringComparer.Ordinal);
    }
}

/// <summary>An <see cref="IMatchStore"/> that throws (a simulated crash) on the writes a test picks.</summary>
internal sealed class FaultyMatchStore(IMatchStore inner) : IMatchStore
{
    private readonly Lock _gate = new();

    /// <summary>Called before every write with its key; returning true makes the write throw instead.</summary>
    public Func<string, bool>? FailWrite { get; set; }

    public int FailedWrites { get; private set; }

    public ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<StoredItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        inner.GetManyAsync(keys, cancellationToken);

    public ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (FailWrite?.Invoke(key) == true)
            {
                FailedWrites++;
                throw new IOException($"Simulated crash before writing {key}.");
            }
        }

        return inner.TryWriteAsync(key, value, expectedVersion, expiresAt, cancellationToken);
    }

    public ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default) =>
        inner.TryDeleteAsync(key, expectedVersion, cancellationToken);
}
