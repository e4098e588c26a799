using System.Collections.Concurrent;
using System.Text;
using MetaServer.Messaging.Embedded;
using MetaServer.Testing;

namespace MetaServer.Messaging.Tests.Transport;

/// <summary>Embedded-transport behaviour made deterministic with a manual clock.</summary>
public sealed class EmbeddedTransportTests
{
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(30);
    private readonly ManualTimeProvider _time = new();
    private readonly EmbeddedTransport _transport;

    public EmbeddedTransportTests() => _transport = new EmbeddedTransport(_time);

    [Fact]
    public async Task ReceiveAsync_VisibilityTimeout_ExpiresExactlyAtTheTimeout()
    {
        var queue = await NewQueueAsync();
        await _transport.SendAsync(queue, Body("m"));
        Assert.Single(await ReceiveNowAsync(queue));

        _time.Advance(Visibility - TimeSpan.FromTicks(1));
        Assert.Empty(await ReceiveNowAsync(queue));
        Assert.Equal(new QueueCounts(0, 1), await _transport.GetQueueCountsAsync(queue));

        _time.Advance(TimeSpan.FromTicks(1));
        var again = Assert.Single(await ReceiveNowAsync(queue));
        Assert.Equal(2, again.ReceiveCount);
    }

    [Fact]
    public async Task ReceiveAsync_RetentionLapsed_MessageDropped()
    {
        var queue = await NewQueueAsync(new QueueSettings { MessageRetention = TimeSpan.FromMinutes(1) });
        await _transport.SendAsync(queue, Body("old"));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(new QueueCounts(1, 0), await _transport.GetQueueCountsAsync(queue));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(queue));
        Assert.Empty(await ReceiveNowAsync(queue));
    }

    [Fact]
    public async Task ReceiveAsync_RetentionLapsedWhileInFlight_MessageDropped()
    {
        var queue = await NewQueueAsync(new QueueSettings { MessageRetention = TimeSpan.FromMinutes(1), VisibilityTimeout = TimeSpan.FromMinutes(5) });
        await _transport.SendAsync(queue, Body("old"));
        Assert.Single(await ReceiveNowAsync(queue));

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task ReceiveAsync_LongPoll_ReturnsWhenMessageSentWithoutClockMoving()
    {
        var queue = await NewQueueAsync();
        var receive = _transport.ReceiveAsync(queue, LongPoll()).AsTask();
        Assert.False(receive.IsCompleted);

        await _transport.SendAsync(queue, Body("now"));

        Assert.Single(await receive.WithTimeout("long poll woken by a send"));
    }

    [Fact]
    public async Task ReceiveAsync_LongPoll_WakesWhenInFlightMessageBecomesVisible()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(10) });
        await _transport.SendAsync(queue, Body("m"));
        Assert.Single(await ReceiveNowAsync(queue));
        var receive = _transport.ReceiveAsync(queue, LongPoll()).AsTask();

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(receive.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));

        var message = Assert.Single(await receive.WithTimeout("long poll woken by the visibility lapse"));
        Assert.Equal(2, message.ReceiveCount);
    }

    [Fact]
    public async Task ReceiveAsync_LongPollDeadline_ReturnsEmptyExactlyAtWaitTime()
    {
        var queue = await NewQueueAsync();
        var receive = _transport.ReceiveAsync(queue, LongPoll()).AsTask();

        _time.Advance(TransportLimits.MaxWaitTime - TimeSpan.FromTicks(1));
        Assert.False(receive.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Empty(await receive.WithTimeout("the long poll deadline"));
    }

    [Fact]
    public async Task ReceiveAsync_ShorterChangeVisibilityDuringLongPoll_WakesAtTheNewTime()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = TimeSpan.FromHours(1) });
        await _transport.SendAsync(queue, Body("m"));
        var first = Assert.Single(await ReceiveNowAsync(queue));
        var receive = _transport.ReceiveAsync(queue, LongPoll()).AsTask();

        await _transport.ChangeVisibilityAsync(queue, first.ReceiptHandle, TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(first.MessageId, Assert.Single(await receive.WithTimeout("wake at the shortened visibility")).MessageId);
    }

    [Fact]
    public async Task ReceiveAsync_Cancelled_LosesNoMessage()
    {
        var queue = await NewQueueAsync();
        using var cts = new CancellationTokenSource();
        var receive = _transport.ReceiveAsync(queue, LongPoll(), cts.Token).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.WithTimeout("cancelled receive"));
        await _transport.SendAsync(queue, Body("kept"));

        var message = Assert.Single(await ReceiveNowAsync(queue));
        Assert.Equal(1, message.ReceiveCount);
    }

    [Fact]
    public async Task ReceiveAsync_CancelledWaitersRacingSends_EveryMessageDeliveredOnce()
    {
        // Real time: many long polls are cancelled while messages arrive; none may swallow a message.
        var transport = new EmbeddedTransport(TimeProvider.System);
        await transport.CreateQueueAsync("race", new QueueSettings { VisibilityTimeout = TimeSpan.FromHours(1) });
        const int Count = 2000;
        var seen = new ConcurrentDictionary<string, int>();
        using var stopCancelling = new CancellationTokenSource();

        async Task Canceller()
        {
            while (!stopCancelling.IsCancellationRequested)
            {
                using var cts = new CancellationTokenSource();
                var receive = transport.ReceiveAsync("race", new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.FromSeconds(20) }, cts.Token).AsTask();
                await cts.CancelAsync();
                try
                {
                    foreach (var m in await receive)
                    {
                        seen.AddOrUpdate(m.MessageId, 1, (_, n) => n + 1);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Expected most of the time.
                }
            }
        }

        async Task Receiver()
        {
            while (seen.Count < Count)
            {
                foreach (var m in await transport.ReceiveAsync("race", new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.FromSeconds(1) }))
                {
                    seen.AddOrUpdate(m.MessageId, 1, (_, n) => n + 1);
                }
            }
        }

        var cancellers = Enumerable.Range(0, 4).Select(_ => Task.Run(Canceller)).ToArray();
        var receivers = Enumerable.Range(0, 4).Select(_ => Task.Run(Receiver)).ToArray();
        for (var i = 0; i < Count; i++)
        {
            await transport.SendAsync("race", Body($"m{i}"));
        }

        await Task.WhenAll(receivers).WithTimeout("every message received");
        await stopCancelling.CancelAsync();
        await Task.WhenAll(cancellers).WithTimeout("cancellers to stop");
        Assert.Equal(Count, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Equal(new QueueCounts(0, Count), await transport.GetQueueCountsAsync("race"));
    }

    [Fact]
    public async Task SendAndReceive_ManyConcurrentProducersAndConsumers_NothingLostNothingLeft()
    {
        var transport = new EmbeddedTransport(TimeProvider.System);
        await transport.CreateQueueAsync("load", new QueueSettings { VisibilityTimeout = TimeSpan.FromHours(1) });
        const int Senders = 4;
        const int PerSender = 5000;
        var received = new ConcurrentDictionary<string, byte>();

        async Task Send(int sender)
        {
            for (var i = 0; i < PerSender; i += 10)
            {
                var batch = Enumerable.Range(i, 10).Select(n => Body($"{sender}-{n}")).ToList();
                var results = await transport.SendBatchAsync("load", batch);
                Assert.All(results, r => Assert.True(r.Succeeded));
            }
        }

        async Task Consume()
        {
            while (received.Count < Senders * PerSender)
            {
                var messages = await transport.ReceiveAsync("load", new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.FromSeconds(1) });
                if (messages.Count == 0)
                {
                    continue;
                }

                foreach (var m in messages)
                {
                    Assert.True(received.TryAdd(Encoding.UTF8.GetString(m.Body.Span), 0));
                }

                var deleted = await transport.DeleteBatchAsync("load", messages.Select(m => m.ReceiptHandle).ToList());
                Assert.All(deleted, r => Assert.True(r.Succeeded));
            }
        }

        var consumers = Enumerable.Range(0, 6).Select(_ => Task.Run(Consume)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(() => Send(s)))).WithTimeout("senders");
        await Task.WhenAll(consumers).WithTimeout("consumers");

        Assert.Equal(Senders * PerSender, received.Count);
        Assert.Equal(new QueueCounts(0, 0), await transport.GetQueueCountsAsync("load"));
    }

    [Fact]
    public async Task SendAsync_CallerReusesBuffer_StoredBodyUnchanged()
    {
        var queue = await NewQueueAsync();
        var buffer = Encoding.UTF8.GetBytes("original");

        await _transport.SendAsync(queue, buffer);
        await _transport.SendBatchAsync(queue, [buffer]);
        buffer.AsSpan().Fill((byte)'x');

        var messages = await _transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10 });
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal("original", Encoding.UTF8.GetString(m.Body.Span)));
    }

    [Fact]
    public async Task ChangeVisibilityAsync_MessageNotInFlight_ThrowsMessageNotInflight()
    {
        var queue = await NewQueueAsync();
        await _transport.SendAsync(queue, Body("m"));
        var first = Assert.Single(await ReceiveNowAsync(queue));
        _time.Advance(Visibility);

        var lapsed = await Assert.ThrowsAsync<TransportException>(
            async () => await _transport.ChangeVisibilityAsync(queue, first.ReceiptHandle, TimeSpan.FromSeconds(10)));
        await _transport.DeleteAsync(queue, first.ReceiptHandle);
        var deleted = await Assert.ThrowsAsync<TransportException>(
            async () => await _transport.ChangeVisibilityAsync(queue, first.ReceiptHandle, TimeSpan.FromSeconds(10)));

        Assert.Equal(TransportErrorCodes.MessageNotInflight, lapsed.ErrorCode);
        Assert.Equal(TransportErrorCodes.MessageNotInflight, deleted.ErrorCode);
    }

    [Fact]
    public async Task DeleteAsync_LatestHandleAfterVisibilityLapsed_DeletesMessage()
    {
        var queue = await NewQueueAsync();
        await _transport.SendAsync(queue, Body("m"));
        var first = Assert.Single(await ReceiveNowAsync(queue));
        _time.Advance(Visibility);
        Assert.Equal(new QueueCounts(1, 0), await _transport.GetQueueCountsAsync(queue));

        await _transport.DeleteAsync(queue, first.ReceiptHandle);

        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task DeleteAsync_HandleOfAnotherQueue_ThrowsReceiptHandleIsInvalid()
    {
        var queue = await NewQueueAsync();
        var other = await NewQueueAsync(name: "other");
        await _transport.SendAsync(queue, Body("m"));
        var first = Assert.Single(await ReceiveNowAsync(queue));

        var ex = await Assert.ThrowsAsync<TransportException>(async () => await _transport.DeleteAsync(other, first.ReceiptHandle));

        Assert.Equal(TransportErrorCodes.ReceiptHandleIsInvalid, ex.ErrorCode);
    }

    [Fact]
    public async Task ReceiveAsync_DeadLetteredMessage_KeepsIdAndSendTime()
    {
        await _transport.CreateQueueAsync("dlq", new QueueSettings());
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = Visibility, Redrive = new RedrivePolicy("dlq", 1) });
        var id = await _transport.SendAsync(queue, Body("poison"));
        var sentAt = _time.GetUtcNow();
        Assert.Single(await ReceiveNowAsync(queue));
        _time.Advance(Visibility);

        Assert.Empty(await ReceiveNowAsync(queue));

        var dead = Assert.Single(await ReceiveNowAsync("dlq"));
        Assert.Equal(id, dead.MessageId);
        Assert.Equal(sentAt, dead.SentAt);
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task ReceiveAsync_QueueDeletedDuringLongPoll_ThrowsQueueDoesNotExist()
    {
        var queue = await NewQueueAsync();
        var receive = _transport.ReceiveAsync(queue, LongPoll()).AsTask();

        await _transport.DeleteQueueAsync(queue);

        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => receive.WithTimeout("the long poll to notice the deletion"));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("dot.ted")]
    public async Task CreateQueueAsync_InvalidName_ThrowsInvalidParameterValue(string name)
    {
        var ex = await Assert.ThrowsAsync<TransportException>(async () => await _transport.CreateQueueAsync(name, new QueueSettings()));

        Assert.Equal(TransportErrorCodes.InvalidParameterValue, ex.ErrorCode);
    }

    [Fact]
    public async Task DeleteQueueAsync_Recreated_OldHandlesInvalid()
    {
        var queue = await NewQueueAsync();
        await _transport.SendAsync(queue, Body("m"));
        var first = Assert.Single(await ReceiveNowAsync(queue));
        await _transport.DeleteQueueAsync(queue);
        await _transport.CreateQueueAsync(queue, new QueueSettings { VisibilityTimeout = Visibility });

        var ex = await Assert.ThrowsAsync<TransportException>(async () => await _transport.DeleteAsync(queue, first.ReceiptHandle));

        Assert.Equal(TransportErrorCodes.ReceiptHandleIsInvalid, ex.ErrorCode);
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(queue));
    }

    private static ReadOnlyMemory<byte> Body(string text) => Encoding.UTF8.GetBytes(text);

    private static ReceiveOptions LongPoll() => new() { MaxMessages = 10, WaitTime = TransportLimits.MaxWaitTime };

    private async Task<string> NewQueueAsync(QueueSettings? settings = null, string name = "q")
    {
        await _transport.CreateQueueAsync(name, settings ?? new QueueSettings { VisibilityTimeout = Visibility });
        return name;
    }

    private ValueTask<IReadOnlyList<ReceivedMessage>> ReceiveNowAsync(string queue) =>
        _transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10 });
}
