using Google.Protobuf;
using MetaServer.Matches.Abandon;
using MetaServer.Matches.Leaderboards;
using MetaServer.Matches.Rating;
using MetaServer.Matches.Results;
using MetaServer.Matches.Service;
using MetaServer.Matches.Storage;
using MetaServer.Matches.Tests.Flow;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Abandon;

/// <summary>A <see cref="FlowHarness"/> plus the abandon sweeper, the game-server report handler and helpers.</summary>
internal sealed class AbandonHarness : IDisposable
{
    public AbandonHarness(Action<Dictionary<string, string?>>? configure = null, Func<ManualTimeProvider, IMatchStore>? storeFactory = null)
    {
        Flow = new FlowHarness(configure, storeFactory);
        Reports = new GameServerReportHandler(
            Flow.Store,
            new RatingModel(),
            new EmbeddedLeaderboardStore(),
            new LeaderboardSeasons(Options.Create(new LeaderboardOptions())),
            Flow.Queues,
            Options.Create(new MatchResultsOptions()),
            Flow.Clock,
            NullLogger<GameServerReportHandler>.Instance);
    }

    public FlowHarness Flow { get; }

    public GameServerReportHandler Reports { get; }

    public MatchAbandonSweeper Sweeper => Flow.Get<MatchAbandonSweeper>();

    public AbandonOptions AbandonSettings => Flow.Get<IOptions<AbandonOptions>>().Value;

    public TimeSpan StartTimeout => AbandonSettings.StartTimeout;

    public TimeSpan MaxMatchDuration => Flow.Options.Value.MaxMatchDuration;

    /// <summary>A second sweeper (as on another matches-service instance) over <paramref name="store"/>.</summary>
    public MatchAbandonSweeper SweeperOver(IMatchStore store)
    {
        var provider = Flow.Get<IServiceProvider>();
        var flowStore = ActivatorUtilities.CreateInstance<FlowStore>(provider, store);
        var index = ActivatorUtilities.CreateInstance<OpenMatchIndex>(provider, flowStore);
        return ActivatorUtilities.CreateInstance<MatchAbandonSweeper>(provider, flowStore, index);
    }

    /// <summary>Alice online (pushes to <c>push-alice</c>), queued and matched into <c>m-1</c>, the hand-off messages drained.</summary>
    public async Task<string> HandOffAliceAsync()
    {
        await Flow.OnlineAsync("alice");
        await Flow.Transport.CreateQueueAsync(FlowHarness.PushQueue("alice"), new QueueSettings());
        var matchId = await MatchHelpers.MatchAliceAsync(Flow);
        await Flow.DrainAsync(Flow.Queues.ForMessageType(MessageTypes.GameServerPlacement));
        return matchId;
    }

    public async Task<MatchRecord> MatchAsync(string matchId) => await Flow.MatchAsync(matchId) ?? throw new InvalidOperationException("no match " + matchId);

    public ValueTask<IReadOnlyList<OutgoingMessage>> ReportAsync(GameServerReport report) =>
        Reports.HandleAsync(
            new IncomingMessage(
                new MessageEnvelope
                {
                    MessageType = MessageTypes.MatchesGameServerReport,
                    MessageId = Guid.NewGuid().ToString("N"),
                    DeploymentVersion = "t1",
                    Payload = report.ToByteArray(),
                },
                Flow.Queues.ForMessageType(MessageTypes.MatchesGameServerReport),
                1),
            CancellationToken.None);

    public static GameServerReport Started(string matchId) => new()
    {
        MatchId = matchId,
        GameServerId = "gs-1",
        Started = new MatchStartedReport { GameServerAddress = "127.0.0.1:7777" },
    };

    public async Task<GameServerReport> ResultAsync(string matchId)
    {
        var match = await MatchAsync(matchId);
        var result = new MatchResultReport { EndedAtUnixMs = 1 };
        result.Placements.AddRange(match.Teams.Select((t, i) => new TeamPlacement { Team = t.Name, Rank = i + 1 }));
        return new GameServerReport { MatchId = matchId, GameServerId = "gs-1", Result = result };
    }

    /// <summary>The <see cref="MatchmakingUpdateEvent"/> statuses waiting on the player's push queue (received and deleted).</summary>
    public async Task<List<MatchmakingStatus>> PushedAsync(string playerId)
    {
        var queue = FlowHarness.PushQueue(playerId);
        var statuses = new List<MatchmakingStatus>();
        while (true)
        {
            var batch = await Flow.Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10 });
            if (batch.Count == 0)
            {
                return statuses;
            }

            foreach (var message in batch)
            {
                await Flow.Transport.DeleteAsync(queue, message.ReceiptHandle);
                var envelope = EnvelopeCodec.Decode(message.Body);
                Assert.Equal(PlayerEventPublisher.ClientEventMessageType, envelope.MessageType);
                statuses.Add(Envelope.Parser.ParseFrom(envelope.Payload.Span).MatchmakingUpdate.Status);
            }
        }
    }

    public void Dispose() => Flow.Dispose();
}

/// <summary>An <see cref="IMatchStore"/> that runs an action once, just before the first conditional write of a key.</summary>
internal sealed class InterceptingMatchStore(IMatchStore inner, string interceptedKey, Func<Task> beforeWrite) : IMatchStore
{
    private int _fired;

    public ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<StoredItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        inner.GetManyAsync(keys, cancellationToken);

    public async ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        if (key == interceptedKey && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            await beforeWrite();
        }

        return await inner.TryWriteAsync(key, value, expectedVersion, expiresAt, cancellationToken);
    }

    public ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default) =>
        inner.TryDeleteAsync(key, expectedVersion, cancellationToken);
}

/// <summary>An <see cref="IMatchStore"/> that yields before every call, so sweepers on the thread pool interleave.</summary>
internal sealed class YieldingMatchStore(IMatchStore inner) : IMatchStore
{
    public async ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.GetAsync(key, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<StoredItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.GetManyAsync(keys, cancellationToken);
    }

    public async ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.TryWriteAsync(key, value, expectedVersion, expiresAt, cancellationToken);
    }

    public async ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return await inner.TryDeleteAsync(key, expectedVersion, cancellationToken);
    }
}
