using System.Collections.Concurrent;
using System.Text;
using MetaServer.Messaging.Embedded;
using MetaServer.Pipelines;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Messaging.Tests.Pipelines;

public sealed class MessagePipelineTests : IAsyncLifetime
{
    private const string MessageType = "test.work";
    private const string Queue = "v1-req-test-work";
    private readonly List<MessagePipeline> _pipelines = [];
    private IMessageTransport _transport = new EmbeddedTransport(TimeProvider.System);
    private TimeProvider _time = TimeProvider.System;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var pipeline in _pipelines)
        {
            await pipeline.DisposeAsync();
        }
    }

    [Fact]
    public async Task Run_HandlersBlocked_NeverMoreInFlightThanConsumers()
    {
        var options = Options(producers: 2, consumers: 3);
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var maxQueueInFlight = 0L;
        var handler = new TestHandler(MessageType)
        {
            Behavior = async (_, ct) =>
            {
                var counts = await _transport.GetQueueCountsAsync(Queue, ct);
                InterlockedMax(ref maxQueueInFlight, counts.InFlight);
                await gate.Task.WaitAsync(ct);
                return [];
            },
        };
        await SendAsync(30);

        var pipeline = Start(handler, options);
        await ReadAsync(handler.Entered, 6, "six handlers to start");

        Assert.Equal(6, handler.MaxConcurrency);
        Assert.Equal(new QueueCounts(24, 6), await _transport.GetQueueCountsAsync(Queue));
        Assert.Equal(6, pipeline.InFlight);

        gate.SetResult();
        await ReadAsync(handler.Completed, 30, "every message handled");
        await pipeline.StopAsync();
        Assert.Equal(6, handler.MaxConcurrency);
        Assert.InRange(Interlocked.Read(ref maxQueueInFlight), 1, 6);
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(Queue));
    }

    [Fact]
    public async Task StopAsync_MidWayThenNewPipeline_EveryMessageHandledAndQueueEmpty()
    {
        const int Count = 40;
        var options = Options(producers: 2, consumers: 4);
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var handled = new ConcurrentDictionary<string, int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TestHandler(MessageType)
        {
            Behavior = async (m, ct) =>
            {
                await gate.Task.WaitAsync(ct);
                handled.AddOrUpdate(m.Envelope.MessageId, 1, (_, n) => n + 1);
                return [];
            },
        };
        await SendAsync(Count);

        var pipeline = Start(first, options);
        await ReadAsync(first.Entered, 8, "eight busy handlers");
        var stopping = pipeline.StopAsync();
        gate.SetResult();
        await stopping.WithTimeout("the first pipeline to drain");

        var left = await _transport.GetQueueCountsAsync(Queue);
        Assert.Equal(new QueueCounts(Count - handled.Count, 0), left);
        Assert.InRange(handled.Count, 8, Count - 1);

        var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TestHandler(MessageType)
        {
            Behavior = (m, _) =>
            {
                handled.AddOrUpdate(m.Envelope.MessageId, 1, (_, n) => n + 1);
                if (handled.Count == Count)
                {
                    allHandled.TrySetResult();
                }

                return Task.FromResult<IReadOnlyList<OutgoingMessage>>([]);
            },
        };
        var next = Start(second, options);
        await allHandled.Task.WithTimeout("every message handled by the second pipeline");
        await next.StopAsync().WithTimeout("the second pipeline to drain");

        Assert.Equal(Count, handled.Count);
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(Queue));
    }

    [Fact]
    public async Task StopAsync_HandlersInFlight_WaitsForThemWithoutCancelling()
    {
        var options = Options(producers: 1, consumers: 2);
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = 0;
        var handler = new TestHandler(MessageType)
        {
            Behavior = async (_, ct) =>
            {
                await gate.Task;
                if (ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref cancelled);
                }

                return [];
            },
        };
        await SendAsync(5);
        var pipeline = Start(handler, options);
        await ReadAsync(handler.Entered, 2, "two busy handlers");

        var stopping = pipeline.StopAsync();
        Assert.False(stopping.IsCompleted);
        gate.SetResult();
        await stopping.WithTimeout("the drain");

        Assert.Equal(0, cancelled);
        Assert.Equal(2, handler.Calls);
        Assert.Equal(new QueueCounts(3, 0), await _transport.GetQueueCountsAsync(Queue));
    }

    [Fact]
    public async Task StopAsync_DrainDeadline_CancelsHandlersAndMessagesReturn()
    {
        var options = Options(producers: 1, consumers: 2, visibility: TimeSpan.FromSeconds(1));
        options.DrainTimeout = TimeSpan.FromMilliseconds(200);
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var cancelled = 0;
        var handler = new TestHandler(MessageType)
        {
            Behavior = async (_, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    throw;
                }

                return [];
            },
        };
        await SendAsync(2);
        var pipeline = Start(handler, options);
        await ReadAsync(handler.Entered, 2, "two busy handlers");

        await pipeline.StopAsync().WithTimeout("the stop after the drain deadline");

        Assert.Equal(2, Volatile.Read(ref cancelled));
        var back = await ReceiveAsync(Queue, 2);
        Assert.All(back, m => Assert.Equal(2, m.ReceiveCount));
    }

    [Fact]
    public async Task Run_HandlerAlwaysThrows_MessageEndsInDeadLetterQueue()
    {
        var options = Options(producers: 1, consumers: 1, visibility: TimeSpan.FromSeconds(1));
        options.MaxReceiveCount = 2;
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var handler = new TestHandler(MessageType) { Behavior = (_, _) => throw new InvalidOperationException("poison") };
        var id = await _transport.SendAsync(Queue, Envelope("poison"));

        Start(handler, options);
        var dead = await ReceiveAsync(QueueNames.DeadLetterOf(Queue), 1);

        Assert.Equal(id, dead[0].MessageId);
        Assert.Equal("poison", EnvelopeCodec.Decode(dead[0].Body).MessageId);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Run_UndecodableMessage_EndsInDeadLetterQueueWithoutCallingHandler()
    {
        var options = Options(producers: 1, consumers: 1, visibility: TimeSpan.FromSeconds(1));
        options.MaxReceiveCount = 1;
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var handler = new TestHandler(MessageType);
        var id = await _transport.SendAsync(Queue, new byte[] { 0xff, 0xff, 0xff });

        Start(handler, options);
        var dead = await ReceiveAsync(QueueNames.DeadLetterOf(Queue), 1);

        Assert.Equal(id, dead[0].MessageId);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task Run_LongHandler_VisibilityRenewedAndNotRedelivered()
    {
        var time = new ManualTimeProvider();
        var transport = new RecordingTransport(new EmbeddedTransport(time));
        _transport = transport;
        _time = time;
        var options = Options(producers: 1, consumers: 2, visibility: TimeSpan.FromSeconds(10));
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new TestHandler(MessageType) { Behavior = async (_, ct) => { await gate.Task.WaitAsync(ct); return []; } };
        await SendAsync(1);

        Start(handler, options);
        await ReadAsync(handler.Entered, 1, "the handler to start");
        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await transport.VisibilityChanges.Reader.ReadAsync().AsTask().WithTimeout($"renewal {i + 1}");
            Assert.Equal(new QueueCounts(0, 1), await _transport.GetQueueCountsAsync(Queue));
        }

        gate.SetResult();
        await transport.Deletes.Reader.ReadAsync().AsTask().WithTimeout("the delete");
        Assert.Equal(1, handler.Calls);
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(Queue));

        // Renewal stopped with the handler: moving past several intervals renews nothing more.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(transport.VisibilityChanges.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Run_HandlerReturnsOutgoing_SentToTheirQueuesAndInputDeleted()
    {
        var options = Options(producers: 1, consumers: 1);
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        await _transport.CreateQueueAsync("out-a", new QueueSettings());
        await _transport.CreateQueueAsync("out-b", new QueueSettings());
        var handler = new TestHandler(MessageType)
        {
            Behavior = (m, _) => Task.FromResult<IReadOnlyList<OutgoingMessage>>(
            [
                .. Enumerable.Range(0, 12).Select(i => new OutgoingMessage("out-a", EnvelopeOf($"{m.Envelope.MessageId}-a{i}", "test.reply"))),
                new OutgoingMessage("out-missing", EnvelopeOf($"{m.Envelope.MessageId}-gone", "test.reply")),
                new OutgoingMessage("out-b", EnvelopeOf($"{m.Envelope.MessageId}-b", "test.reply")),
            ]),
        };
        await _transport.SendAsync(Queue, Envelope("in"));

        var pipeline = Start(handler, options);
        var a = await ReceiveAsync("out-a", 12);
        var b = await ReceiveAsync("out-b", 1);
        await pipeline.StopAsync().WithTimeout("the drain");

        Assert.Equal(
            Enumerable.Range(0, 12).Select(i => $"in-a{i}").Order(StringComparer.Ordinal),
            a.Select(m => EnvelopeCodec.Decode(m.Body).MessageId).Order(StringComparer.Ordinal));
        Assert.Equal("in-b", EnvelopeCodec.Decode(b[0].Body).MessageId);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(new QueueCounts(0, 0), await _transport.GetQueueCountsAsync(Queue));
    }

    [Fact]
    public async Task Run_HandlerGetsDecodedEnvelopeAndReceiveCount()
    {
        var options = Options(producers: 1, consumers: 1);
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var handler = new TestHandler(MessageType);
        await _transport.SendAsync(Queue, Envelope("m-1", payload: "data"));

        Start(handler, options);
        var incoming = await handler.Entered.Reader.ReadAsync().AsTask().WithTimeout("the handler call");

        Assert.Equal("m-1", incoming.Envelope.MessageId);
        Assert.Equal(MessageType, incoming.Envelope.MessageType);
        Assert.Equal("data", Encoding.UTF8.GetString(incoming.Envelope.Payload.Span));
        Assert.Equal(Queue, incoming.QueueName);
        Assert.Equal(1, incoming.ReceiveCount);
    }

    [Fact]
    public async Task StopAsync_IdleLongPoll_StopsAndLeavesLaterMessagesOnQueue()
    {
        var options = Options(producers: 3, consumers: 2);
        await MessagePipeline.EnsureQueuesAsync(_transport, Queue, options);
        var handler = new TestHandler(MessageType);
        var pipeline = Start(handler, options);

        await pipeline.StopAsync().WithTimeout("the stop of an idle pipeline");
        await SendAsync(3);

        Assert.Equal(new QueueCounts(3, 0), await _transport.GetQueueCountsAsync(Queue));
        Assert.Equal(0, handler.Calls);
    }

    private static PipelineOptions Options(int producers, int consumers, TimeSpan? visibility = null) => new()
    {
        Producers = producers,
        ConsumersPerProducer = consumers,
        VisibilityTimeout = visibility ?? TimeSpan.FromSeconds(30),
        ReceiveWaitTime = TimeSpan.FromSeconds(20),
        DrainTimeout = TimeSpan.FromSeconds(30),
    };

    private static byte[] Envelope(string messageId, string messageType = MessageType, string payload = "") =>
        EnvelopeCodec.Encode(EnvelopeOf(messageId, messageType, payload));

    private static MessageEnvelope EnvelopeOf(string messageId, string messageType = MessageType, string payload = "") => new()
    {
        MessageType = messageType,
        MessageId = messageId,
        DeploymentVersion = "v1",
        Payload = Encoding.UTF8.GetBytes(payload),
    };

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task ReadAsync<T>(System.Threading.Channels.Channel<T> channel, int count, string what)
    {
        async Task Loop()
        {
            for (var i = 0; i < count; i++)
            {
                await channel.Reader.ReadAsync();
            }
        }

        await Loop().WithTimeout(what);
    }

    private MessagePipeline Start(IMessageHandler handler, PipelineOptions options)
    {
        var pipeline = new MessagePipeline(_transport, handler, Queue, options, _time, NullLogger<MessagePipeline>.Instance);
        _pipelines.Add(pipeline);
        pipeline.Start();
        return pipeline;
    }

    private async Task SendAsync(int count)
    {
        for (var i = 0; i < count; i += 10)
        {
            var batch = Enumerable.Range(i, Math.Min(10, count - i)).Select(n => (ReadOnlyMemory<byte>)Envelope($"m-{n}")).ToList();
            var results = await _transport.SendBatchAsync(Queue, batch);
            Assert.All(results, r => Assert.True(r.Succeeded));
        }
    }

    private async Task<List<ReceivedMessage>> ReceiveAsync(string queue, int count)
    {
        async Task<List<ReceivedMessage>> Loop()
        {
            var all = new List<ReceivedMessage>();
            while (all.Count < count)
            {
                all.AddRange(await _transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.FromSeconds(5) }));
            }

            return all;
        }

        return await Loop().WithTimeout($"{count} message(s) on {queue}");
    }
}
