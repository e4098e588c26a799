using System.Threading.Channels;
using MetaServer.Messaging.Sqs;
using MetaServer.Testing;

namespace MetaServer.Messaging.Tests.Sqs;

public sealed class CallBatcherTests
{
    /// <summary>A batch call that records its items and waits until the test releases it.</summary>
    private sealed class GatedCall
    {
        public Channel<(IReadOnlyList<int> Items, TaskCompletionSource<IReadOnlyList<BatchItemOutcome<string>>> Release)> Calls { get; } =
            Channel.CreateUnbounded<(IReadOnlyList<int>, TaskCompletionSource<IReadOnlyList<BatchItemOutcome<string>>>)>();

        public Task<IReadOnlyList<BatchItemOutcome<string>>> Invoke(IReadOnlyList<int> items, CancellationToken cancellationToken)
        {
            var release = new TaskCompletionSource<IReadOnlyList<BatchItemOutcome<string>>>(TaskCreationOptions.RunContinuationsAsynchronously);
            Calls.Writer.TryWrite((items, release));
            return release.Task;
        }

        public async Task<(IReadOnlyList<int> Items, TaskCompletionSource<IReadOnlyList<BatchItemOutcome<string>>> Release)> NextAsync() =>
            await Calls.Reader.ReadAsync().AsTask().WithTimeout("a batch call");

        public static IReadOnlyList<BatchItemOutcome<string>> Echo(IReadOnlyList<int> items) =>
            items.Select(i => new BatchItemOutcome<string>($"r{i}", null)).ToList();
    }

    [Fact]
    public async Task EnqueueAsync_Idle_CallsAtOnceWithOneItem()
    {
        var call = new GatedCall();
        await using var batcher = new CallBatcher<int, string>(call.Invoke, 10, 1);

        var result = batcher.EnqueueAsync(7, CancellationToken.None);

        var first = await call.NextAsync();
        Assert.Equal([7], first.Items);
        first.Release.SetResult(GatedCall.Echo(first.Items));
        Assert.Equal("r7", await result.WithTimeout("the result"));
    }

    [Fact]
    public async Task EnqueueAsync_WhileCallInFlight_AccumulatesIntoBatchesOfTen()
    {
        var call = new GatedCall();
        await using var batcher = new CallBatcher<int, string>(call.Invoke, 10, 1);
        var results = new List<Task<string>> { batcher.EnqueueAsync(0, CancellationToken.None) };
        var first = await call.NextAsync();

        results.AddRange(Enumerable.Range(1, 14).Select(i => batcher.EnqueueAsync(i, CancellationToken.None)));
        first.Release.SetResult(GatedCall.Echo(first.Items));

        var second = await call.NextAsync();
        Assert.Equal(Enumerable.Range(1, 10), second.Items);
        second.Release.SetResult(GatedCall.Echo(second.Items));
        var third = await call.NextAsync();
        Assert.Equal(Enumerable.Range(11, 4), third.Items);
        third.Release.SetResult(GatedCall.Echo(third.Items));
        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"r{i}"), await Task.WhenAll(results).WithTimeout("all results"));
    }

    [Fact]
    public async Task EnqueueAsync_EntryFails_OnlyThatCallerFails()
    {
        var call = new GatedCall();
        await using var batcher = new CallBatcher<int, string>(call.Invoke, 10, 1);
        var blocker = batcher.EnqueueAsync(0, CancellationToken.None);
        var first = await call.NextAsync();
        var a = batcher.EnqueueAsync(1, CancellationToken.None);
        var b = batcher.EnqueueAsync(2, CancellationToken.None);
        var c = batcher.EnqueueAsync(3, CancellationToken.None);
        first.Release.SetResult(GatedCall.Echo(first.Items));

        var second = await call.NextAsync();
        second.Release.SetResult(
        [
            new BatchItemOutcome<string>("r1", null),
            new BatchItemOutcome<string>(null, new TransportException("InvalidParameterValue", "entry 2 is bad")),
            new BatchItemOutcome<string>("r3", null),
        ]);

        Assert.Equal("r1", await a.WithTimeout("a"));
        var ex = await Assert.ThrowsAsync<TransportException>(() => b.WithTimeout("b"));
        Assert.Equal("InvalidParameterValue", ex.ErrorCode);
        Assert.Equal("r3", await c.WithTimeout("c"));
        Assert.Equal("r0", await blocker.WithTimeout("blocker"));
    }

    [Fact]
    public async Task EnqueueAsync_WholeCallFails_EveryCallerOfThatBatchFails()
    {
        var call = new GatedCall();
        await using var batcher = new CallBatcher<int, string>(call.Invoke, 10, 2);

        var a = batcher.EnqueueAsync(1, CancellationToken.None);
        var first = await call.NextAsync();
        first.Release.SetException(new QueueDoesNotExistException("q"));

        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => a.WithTimeout("a"));
    }

    [Fact]
    public async Task EnqueueAsync_CancelledBeforeDispatch_LeftOutOfBatch()
    {
        var call = new GatedCall();
        await using var batcher = new CallBatcher<int, string>(call.Invoke, 10, 1);
        var blocker = batcher.EnqueueAsync(0, CancellationToken.None);
        var first = await call.NextAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = batcher.EnqueueAsync(1, cts.Token);
        var kept = batcher.EnqueueAsync(2, CancellationToken.None);

        await cts.CancelAsync();
        first.Release.SetResult(GatedCall.Echo(first.Items));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WithTimeout("cancelled"));
        var second = await call.NextAsync();
        Assert.Equal([2], second.Items);
        second.Release.SetResult(GatedCall.Echo(second.Items));
        Assert.Equal("r2", await kept.WithTimeout("kept"));
        Assert.Equal("r0", await blocker.WithTimeout("blocker"));
    }

    [Fact]
    public async Task EnqueueAsync_WeightLimit_SplitsBatch()
    {
        var call = new GatedCall();
        await using var batcher = new CallBatcher<int, string>(call.Invoke, 10, 1, weight: i => 60, maxBatchWeight: 100);
        var blocker = batcher.EnqueueAsync(0, CancellationToken.None);
        var first = await call.NextAsync();
        var a = batcher.EnqueueAsync(1, CancellationToken.None);
        var b = batcher.EnqueueAsync(2, CancellationToken.None);
        first.Release.SetResult(GatedCall.Echo(first.Items));

        var second = await call.NextAsync();
        Assert.Equal([1], second.Items);
        second.Release.SetResult(GatedCall.Echo(second.Items));
        var third = await call.NextAsync();
        Assert.Equal([2], third.Items);
        third.Release.SetResult(GatedCall.Echo(third.Items));
        await Task.WhenAll(blocker, a, b).WithTimeout("all");
    }
}

/// <summary>The pacing policy of <see cref="CallBatcher{TItem, TResult}"/> under a manual clock.</summary>
public sealed class CallBatcherPacingTests
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(10);

    /// <summary>High enough that the concurrency cap never holds items back: these tests are about the clock.</summary>
    private const int MaxConcurrentCalls = 64;

    private static Task<IReadOnlyList<BatchItemOutcome<string>>> Echo(IReadOnlyList<int> items, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<BatchItemOutcome<string>>>(items.Select(i => new BatchItemOutcome<string>($"r{i}", null)).ToList());

    [Fact]
    public async Task EnqueueAsync_IdleBatcher_DispatchesAtOnceWithoutWaiting()
    {
        var clock = new ManualTimeProvider();
        await using var batcher = new CallBatcher<int, string>(Echo, 10, MaxConcurrentCalls, linger: Linger, timeProvider: clock);

        var first = batcher.EnqueueAsync(1, CancellationToken.None);

        Assert.Equal(1, batcher.CallCount);
        Assert.Equal("r1", await first.WithTimeout("the first item"));

        // Idle again once the linger has passed since the last call: no wait either.
        clock.Advance(Linger);
        var second = batcher.EnqueueAsync(2, CancellationToken.None);
        Assert.Equal(2, batcher.CallCount);
        Assert.Equal("r2", await second.WithTimeout("the second item"));
    }

    [Fact]
    public async Task EnqueueAsync_UnderTraffic_WaitsUntilLingerSinceLastCallThenOneCall()
    {
        var clock = new ManualTimeProvider();
        var batches = new List<IReadOnlyList<int>>();
        await using var batcher = new CallBatcher<int, string>(
            (items, ct) =>
            {
                lock (batches)
                {
                    batches.Add(items);
                }

                return Echo(items, ct);
            },
            10,
            MaxConcurrentCalls,
            linger: Linger,
            timeProvider: clock);
        var results = new List<Task<string>> { batcher.EnqueueAsync(0, CancellationToken.None) };

        clock.Advance(TimeSpan.FromMilliseconds(2));
        results.AddRange(Enumerable.Range(1, 4).Select(i => batcher.EnqueueAsync(i, CancellationToken.None)));
        clock.Advance(TimeSpan.FromMilliseconds(7));
        Assert.Equal(1, batcher.CallCount);
        Assert.All(results.Skip(1), r => Assert.False(r.IsCompleted));

        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, batcher.CallCount);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"r{i}"), await Task.WhenAll(results).WithTimeout("all results"));
        lock (batches)
        {
            Assert.Equal([[0], [1, 2, 3, 4]], batches.Select(b => b.ToArray()).ToArray());
        }
    }

    [Fact]
    public async Task EnqueueAsync_UnderTraffic_FullBatchesGoAtOnceOnlyTheRestWaits()
    {
        var clock = new ManualTimeProvider();
        await using var batcher = new CallBatcher<int, string>(Echo, 10, MaxConcurrentCalls, linger: Linger, timeProvider: clock);
        var first = batcher.EnqueueAsync(0, CancellationToken.None);
        await first.WithTimeout("the first item");

        var rest = Enumerable.Range(1, 25).Select(i => batcher.EnqueueAsync(i, CancellationToken.None)).ToList();

        Assert.Equal(3, batcher.CallCount);
        await Task.WhenAll(rest.Take(20)).WithTimeout("the two full batches");
        Assert.All(rest.Skip(20), r => Assert.False(r.IsCompleted));
        clock.Advance(Linger);
        Assert.Equal(4, batcher.CallCount);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"r{i}"), await Task.WhenAll(rest).WithTimeout("all results"));
    }

    [Fact]
    public async Task EnqueueAsync_OneItemPerMillisecond_AboutOneCallPerLinger()
    {
        var clock = new ManualTimeProvider();
        await using var batcher = new CallBatcher<int, string>(Echo, 10, MaxConcurrentCalls, linger: Linger, timeProvider: clock);
        var results = new List<Task<string>>();

        for (var i = 0; i < 100; i++)
        {
            results.Add(batcher.EnqueueAsync(i, CancellationToken.None));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        clock.Advance(Linger);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"r{i}"), await Task.WhenAll(results).WithTimeout("all results"));

        // 100 items over 100 ms: without pacing 100 calls; with a 10 ms linger one call per 10 ms, plus the idle first.
        Assert.InRange(batcher.CallCount, 10, 12);
    }

    [Fact]
    public async Task EnqueueAsync_PacedBatchEntryFails_OnlyThatCallerFails()
    {
        var clock = new ManualTimeProvider();
        await using var batcher = new CallBatcher<int, string>(
            (items, _) => Task.FromResult<IReadOnlyList<BatchItemOutcome<string>>>(
                items.Select(i => i == 2 ? new BatchItemOutcome<string>(null, new TransportException("InvalidParameterValue", "entry 2 is bad")) : new BatchItemOutcome<string>($"r{i}", null)).ToList()),
            10,
            MaxConcurrentCalls,
            linger: Linger,
            timeProvider: clock);
        await batcher.EnqueueAsync(0, CancellationToken.None).WithTimeout("the idle item");
        var a = batcher.EnqueueAsync(1, CancellationToken.None);
        var b = batcher.EnqueueAsync(2, CancellationToken.None);
        var c = batcher.EnqueueAsync(3, CancellationToken.None);

        clock.Advance(Linger);

        Assert.Equal(2, batcher.CallCount);
        Assert.Equal("r1", await a.WithTimeout("a"));
        var ex = await Assert.ThrowsAsync<TransportException>(() => b.WithTimeout("b"));
        Assert.Equal("InvalidParameterValue", ex.ErrorCode);
        Assert.Equal("r3", await c.WithTimeout("c"));
    }

    [Fact]
    public async Task DisposeAsync_ItemsLingering_SentAtOnce()
    {
        var clock = new ManualTimeProvider();
        var batcher = new CallBatcher<int, string>(Echo, 10, MaxConcurrentCalls, linger: Linger, timeProvider: clock);
        await batcher.EnqueueAsync(0, CancellationToken.None).WithTimeout("the idle item");
        var lingering = batcher.EnqueueAsync(1, CancellationToken.None);
        Assert.False(lingering.IsCompleted);

        await batcher.DisposeAsync().AsTask().WithTimeout("the dispose");

        Assert.Equal("r1", await lingering.WithTimeout("the lingering item"));
        Assert.Equal(2, batcher.CallCount);
    }
}
