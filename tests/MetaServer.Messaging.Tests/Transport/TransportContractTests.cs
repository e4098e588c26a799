using System.Text;
using MetaServer.Messaging;
using MetaServer.Testing;

namespace MetaServer.Messaging.Tests.Transport;

/// <summary>
/// Semantics every <see cref="IMessageTransport"/> must have (Amazon SQS standard queues). Runs in real
/// time against any implementation: short visibility timeouts, long-poll receives as the wait signal,
/// a unique queue name per test, and no assumption about message order.
/// </summary>
public abstract class TransportContractTests : IAsyncLifetime
{
    private static readonly TimeSpan ShortVisibility = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(5);
    private readonly List<string> _createdQueues = [];
    private readonly string _runId = Guid.NewGuid().ToString("N")[..12];
    private IMessageTransport? _transport;

    protected IMessageTransport Transport => _transport ?? throw new InvalidOperationException("The transport is not created yet.");

    /// <summary>Creates the transport under test; called once per test.</summary>
    protected abstract ValueTask<IMessageTransport> CreateTransportAsync();

    public async Task InitializeAsync() => _transport = await CreateTransportAsync();

    public async Task DisposeAsync()
    {
        if (_transport is null)
        {
            return;
        }

        foreach (var queue in Enumerable.Reverse(_createdQueues))
        {
            try
            {
                await _transport.DeleteQueueAsync(queue);
            }
            catch (QueueDoesNotExistException)
            {
                // The test deleted it already.
            }
        }

        switch (_transport)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [Fact]
    public async Task SendAsync_ThenReceive_RoundTripsBodyAndMessageId()
    {
        var queue = await NewQueueAsync();
        var id = await Transport.SendAsync(queue, Body("hello"));

        var received = await ReceiveOneAsync(queue);

        Assert.Equal(id, received.MessageId);
        Assert.Equal("hello", Text(received));
        Assert.Equal(1, received.ReceiveCount);
        Assert.False(string.IsNullOrEmpty(received.ReceiptHandle));
    }

    [Fact]
    public async Task SendAsync_BodyAtLimit_Succeeds()
    {
        var queue = await NewQueueAsync();
        var body = new byte[TransportLimits.MaxBodyBytes];
        Random.Shared.NextBytes(body);

        await Transport.SendAsync(queue, body);

        var received = await ReceiveOneAsync(queue);
        Assert.True(received.Body.Span.SequenceEqual(body));
    }

    [Fact]
    public async Task SendAsync_OversizeBody_ThrowsMessageTooLarge()
    {
        var queue = await NewQueueAsync();

        var ex = await Assert.ThrowsAsync<MessageTooLargeException>(
            async () => await Transport.SendAsync(queue, new byte[TransportLimits.MaxBodyBytes + 1]));

        Assert.Equal(TransportErrorCodes.MessageTooLarge, ex.ErrorCode);
    }

    [Fact]
    public async Task SendBatchAsync_TenEntries_AllDelivered()
    {
        var queue = await NewQueueAsync();
        var bodies = Enumerable.Range(0, 10).Select(i => Body($"m{i}")).ToList();

        var results = await Transport.SendBatchAsync(queue, bodies);

        Assert.Equal(10, results.Count);
        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(Enumerable.Range(0, 10), results.Select(r => r.Index));
        var received = await ReceiveAllAsync(queue, 10);
        Assert.Equal(
            Enumerable.Range(0, 10).Select(i => $"m{i}").Order(StringComparer.Ordinal),
            received.Select(Text).Order(StringComparer.Ordinal));
        Assert.Equal(results.Select(r => r.MessageId).Order(StringComparer.Ordinal), received.Select(m => m.MessageId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SendBatchAsync_ElevenEntries_ThrowsTooManyEntries()
    {
        var queue = await NewQueueAsync();
        var bodies = Enumerable.Range(0, 11).Select(i => Body($"m{i}")).ToList();

        var ex = await Assert.ThrowsAsync<TransportException>(async () => await Transport.SendBatchAsync(queue, bodies));

        Assert.Equal(TransportErrorCodes.TooManyEntriesInBatchRequest, ex.ErrorCode);
        Assert.Equal(new QueueCounts(0, 0), await Transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task SendBatchAsync_Empty_ThrowsEmptyBatchRequest()
    {
        var queue = await NewQueueAsync();

        var ex = await Assert.ThrowsAsync<TransportException>(async () => await Transport.SendBatchAsync(queue, []));

        Assert.Equal(TransportErrorCodes.EmptyBatchRequest, ex.ErrorCode);
    }

    [Fact]
    public async Task SendBatchAsync_OneOversizeEntry_FailsAlone()
    {
        var queue = await NewQueueAsync();
        ReadOnlyMemory<byte>[] bodies = [Body("first"), new byte[TransportLimits.MaxBodyBytes + 1], Body("third")];

        var results = await Transport.SendBatchAsync(queue, bodies);

        Assert.True(results[0].Succeeded);
        Assert.False(results[1].Succeeded);
        Assert.Equal(TransportErrorCodes.MessageTooLarge, results[1].ErrorCode);
        Assert.True(results[2].Succeeded);
        var received = await ReceiveAllAsync(queue, 2);
        Assert.Equal(["first", "third"], received.Select(Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReceiveAsync_UndeletedMessage_ReappearsAfterVisibilityTimeoutWithReceiveCount2()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = ShortVisibility });
        var id = await Transport.SendAsync(queue, Body("again"));
        var first = await ReceiveOneAsync(queue);

        var second = await ReceiveOneAsync(queue);

        Assert.Equal(id, first.MessageId);
        Assert.Equal(id, second.MessageId);
        Assert.Equal(1, first.ReceiveCount);
        Assert.Equal(2, second.ReceiveCount);
        Assert.NotEqual(first.ReceiptHandle, second.ReceiptHandle);
        Assert.Equal("again", Text(second));
    }

    [Fact]
    public async Task DeleteAsync_DeletedMessage_NeverComesBack()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = ShortVisibility });
        await Transport.SendAsync(queue, Body("once"));
        var received = await ReceiveOneAsync(queue);

        await Transport.DeleteAsync(queue, received.ReceiptHandle);

        // A long poll well past the visibility timeout returns nothing.
        var later = await Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10, WaitTime = ShortVisibility * 3 });
        Assert.Empty(later);
        Assert.Equal(new QueueCounts(0, 0), await Transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task DeleteAsync_StaleReceiptHandle_SucceedsAndDeletesNothing()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = ShortVisibility });
        await Transport.SendAsync(queue, Body("stale"));
        var first = await ReceiveOneAsync(queue);
        var second = await ReceiveOneAsync(queue);

        await Transport.DeleteAsync(queue, first.ReceiptHandle);

        // The message is still there: the current handle can still release it.
        await Transport.ChangeVisibilityAsync(queue, second.ReceiptHandle, TimeSpan.Zero);
        var third = await ReceiveOneAsync(queue);
        Assert.Equal(first.MessageId, third.MessageId);
        Assert.Equal(3, third.ReceiveCount);
    }

    [Fact]
    public async Task DeleteAsync_MalformedReceiptHandle_ThrowsReceiptHandleIsInvalid()
    {
        var queue = await NewQueueAsync();

        var ex = await Assert.ThrowsAsync<TransportException>(async () => await Transport.DeleteAsync(queue, "not-a-receipt-handle"));

        Assert.Equal(TransportErrorCodes.ReceiptHandleIsInvalid, ex.ErrorCode);
    }

    [Fact]
    public async Task DeleteBatchAsync_MixedHandles_ReportsPerEntry()
    {
        var queue = await NewQueueAsync();
        await Transport.SendBatchAsync(queue, [Body("a"), Body("b")]);
        var received = await ReceiveAllAsync(queue, 2);

        var results = await Transport.DeleteBatchAsync(queue, [received[0].ReceiptHandle, "garbage", received[1].ReceiptHandle]);

        Assert.Equal(3, results.Count);
        Assert.True(results[0].Succeeded);
        Assert.Equal(TransportErrorCodes.ReceiptHandleIsInvalid, results[1].ErrorCode);
        Assert.True(results[2].Succeeded);
        Assert.Equal(new QueueCounts(0, 0), await Transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task DeleteBatchAsync_ElevenOrNoEntries_Rejected()
    {
        var queue = await NewQueueAsync();

        var tooMany = await Assert.ThrowsAsync<TransportException>(
            async () => await Transport.DeleteBatchAsync(queue, Enumerable.Repeat("x", 11).ToList()));
        var empty = await Assert.ThrowsAsync<TransportException>(async () => await Transport.DeleteBatchAsync(queue, []));

        Assert.Equal(TransportErrorCodes.TooManyEntriesInBatchRequest, tooMany.ErrorCode);
        Assert.Equal(TransportErrorCodes.EmptyBatchRequest, empty.ErrorCode);
    }

    [Fact]
    public async Task ChangeVisibilityAsync_Zero_MakesMessageVisibleAtOnce()
    {
        // The queue's own timeout is far longer than the long poll below.
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = TimeSpan.FromMinutes(10) });
        await Transport.SendAsync(queue, Body("release"));
        var first = await ReceiveOneAsync(queue);

        await Transport.ChangeVisibilityAsync(queue, first.ReceiptHandle, TimeSpan.Zero);

        var again = await Transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = LongPoll });
        var message = Assert.Single(again);
        Assert.Equal(first.MessageId, message.MessageId);
        Assert.Equal(2, message.ReceiveCount);
    }

    [Fact]
    public async Task ChangeVisibilityAsync_Longer_KeepsMessageHidden()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = ShortVisibility });
        await Transport.SendAsync(queue, Body("hold"));
        var first = await ReceiveOneAsync(queue);

        await Transport.ChangeVisibilityAsync(queue, first.ReceiptHandle, TimeSpan.FromMinutes(10));

        var later = await Transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = ShortVisibility * 3 });
        Assert.Empty(later);
        Assert.Equal(new QueueCounts(0, 1), await Transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task ChangeVisibilityAsync_OverTwelveHours_ThrowsInvalidParameterValue()
    {
        var queue = await NewQueueAsync();
        await Transport.SendAsync(queue, Body("x"));
        var first = await ReceiveOneAsync(queue);

        var ex = await Assert.ThrowsAsync<TransportException>(
            async () => await Transport.ChangeVisibilityAsync(queue, first.ReceiptHandle, TransportLimits.MaxVisibilityTimeout + TimeSpan.FromSeconds(1)));

        Assert.Equal(TransportErrorCodes.InvalidParameterValue, ex.ErrorCode);
    }

    [Fact]
    public async Task ReceiveAsync_AfterMaxReceiveCount_MovesMessageToDeadLetterQueue()
    {
        var deadLetters = await NewQueueAsync(name: "dlq");
        var queue = await NewQueueAsync(new QueueSettings
        {
            VisibilityTimeout = ShortVisibility,
            Redrive = new RedrivePolicy(deadLetters, MaxReceiveCount: 2),
        });
        var id = await Transport.SendAsync(queue, Body("poison"));

        Assert.Equal(1, (await ReceiveOneAsync(queue)).ReceiveCount);
        Assert.Equal(2, (await ReceiveOneAsync(queue)).ReceiveCount);

        // A third receive would exceed the max receive count: the message moves instead.
        var third = await Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10, WaitTime = ShortVisibility * 3 });
        Assert.Empty(third);
        var dead = await ReceiveOneAsync(deadLetters);
        Assert.Equal(id, dead.MessageId);
        Assert.Equal("poison", Text(dead));
        Assert.Equal(new QueueCounts(0, 0), await Transport.GetQueueCountsAsync(queue));
    }

    [Fact]
    public async Task CreateQueueAsync_RedriveToMissingQueue_Throws()
    {
        var ex = await Assert.ThrowsAnyAsync<TransportException>(async () => await Transport.CreateQueueAsync(
            UniqueName("orphan"),
            new QueueSettings { Redrive = new RedrivePolicy(UniqueName("missing-dlq"), 3) }));

        Assert.False(string.IsNullOrEmpty(ex.Message));
    }

    [Fact]
    public async Task ReceiveAsync_MessageSentDuringLongPoll_ReturnsIt()
    {
        var queue = await NewQueueAsync();
        var receive = Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10, WaitTime = TransportLimits.MaxWaitTime }).AsTask();

        var id = await Transport.SendAsync(queue, Body("wake"));

        var received = await receive.WithTimeout("the long poll to return the message");
        Assert.Equal(id, Assert.Single(received).MessageId);
    }

    [Fact]
    public async Task ReceiveAsync_EmptyQueueWithoutWait_ReturnsEmpty()
    {
        var queue = await NewQueueAsync();

        var received = await Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10 });

        Assert.Empty(received);
    }

    [Fact]
    public async Task ReceiveAsync_MoreMessagesThanMax_ReturnsAtMostMax()
    {
        var queue = await NewQueueAsync();
        await Transport.SendBatchAsync(queue, Enumerable.Range(0, 10).Select(i => Body($"m{i}")).ToList());

        var received = await Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 3, WaitTime = LongPoll });

        Assert.InRange(received.Count, 1, 3);
        Assert.Equal(received.Count, received.Select(m => m.MessageId).Distinct().Count());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(11, 0)]
    [InlineData(1, 21)]
    [InlineData(1, -1)]
    public async Task ReceiveAsync_InvalidOptions_ThrowsInvalidParameterValue(int maxMessages, int waitSeconds)
    {
        var queue = await NewQueueAsync();

        var ex = await Assert.ThrowsAsync<TransportException>(async () => await Transport.ReceiveAsync(
            queue,
            new ReceiveOptions { MaxMessages = maxMessages, WaitTime = TimeSpan.FromSeconds(waitSeconds) }));

        Assert.Equal(TransportErrorCodes.InvalidParameterValue, ex.ErrorCode);
    }

    [Fact]
    public async Task ReceiveAsync_VisibilityOverride_AppliesToThatReceive()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = TimeSpan.FromMinutes(10) });
        await Transport.SendAsync(queue, Body("short"));
        var first = await Transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = LongPoll, VisibilityTimeout = ShortVisibility });
        Assert.Single(first);

        var second = await ReceiveOneAsync(queue);

        Assert.Equal(2, second.ReceiveCount);
    }

    [Fact]
    public async Task AnyOperation_MissingQueue_ThrowsQueueDoesNotExist()
    {
        var missing = UniqueName("missing");

        await Assert.ThrowsAsync<QueueDoesNotExistException>(async () => await Transport.SendAsync(missing, Body("x")));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(async () => await Transport.SendBatchAsync(missing, [Body("x")]));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(async () => await Transport.ReceiveAsync(missing, new ReceiveOptions()));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(async () => await Transport.GetQueueCountsAsync(missing));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(async () => await Transport.DeleteQueueAsync(missing));
        Assert.False(await Transport.QueueExistsAsync(missing));
    }

    [Fact]
    public async Task CreateQueueAsync_Twice_IsIdempotent()
    {
        var settings = new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(7) };
        var queue = await NewQueueAsync(settings);
        await Transport.SendAsync(queue, Body("kept"));

        await Transport.CreateQueueAsync(queue, settings);

        Assert.True(await Transport.QueueExistsAsync(queue));
        Assert.Equal("kept", Text(await ReceiveOneAsync(queue)));
    }

    [Fact]
    public async Task CreateQueueAsync_ChangedSettings_AppliesThemToTheExistingQueue()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = TimeSpan.FromMinutes(10) });
        await Transport.SendAsync(queue, Body("kept"));

        await Transport.CreateQueueAsync(queue, new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(1) });
        var first = await ReceiveOneAsync(queue);
        var again = await Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 1, WaitTime = TimeSpan.FromSeconds(10) });

        // The message came back after the new 1 s visibility timeout, not the old 10 minutes.
        Assert.Equal("kept", Text(first));
        Assert.Equal(first.MessageId, Assert.Single(again).MessageId);
        Assert.Equal(2, again[0].ReceiveCount);
    }

    [Fact]
    public async Task DeleteQueueAsync_ExistingQueue_RemovesIt()
    {
        var queue = await NewQueueAsync();
        await Transport.SendAsync(queue, Body("gone"));

        await Transport.DeleteQueueAsync(queue);

        Assert.False(await Transport.QueueExistsAsync(queue));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(async () => await Transport.SendAsync(queue, Body("x")));
    }

    [Fact]
    public async Task GetQueueCountsAsync_VisibleAndInFlight_Reported()
    {
        var queue = await NewQueueAsync(new QueueSettings { VisibilityTimeout = TimeSpan.FromMinutes(10) });
        await Transport.SendBatchAsync(queue, [Body("a"), Body("b"), Body("c")]);
        Assert.Equal(new QueueCounts(3, 0), await Transport.GetQueueCountsAsync(queue));

        var received = await ReceiveOneAsync(queue);
        Assert.Equal(new QueueCounts(2, 1), await Transport.GetQueueCountsAsync(queue));

        await Transport.DeleteAsync(queue, received.ReceiptHandle);
        Assert.Equal(new QueueCounts(2, 0), await Transport.GetQueueCountsAsync(queue));
    }

    protected static ReadOnlyMemory<byte> Body(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(ReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Encoding.UTF8.GetString(message.Body.Span);
    }

    protected string UniqueName(string name) => $"ct-{_runId}-{name}";

    protected async Task<string> NewQueueAsync(QueueSettings? settings = null, string name = "q")
    {
        var queueName = UniqueName(name);
        await Transport.CreateQueueAsync(queueName, settings ?? new QueueSettings());
        _createdQueues.Add(queueName);
        return queueName;
    }

    /// <summary>Long-polls until one message arrives (failing the test if none does within the default bound).</summary>
    protected async Task<ReceivedMessage> ReceiveOneAsync(string queue)
    {
        var messages = await ReceiveAllAsync(queue, 1, maxPerReceive: 1);
        return messages[0];
    }

    /// <summary>Long-polls until <paramref name="count"/> messages have arrived.</summary>
    protected async Task<List<ReceivedMessage>> ReceiveAllAsync(string queue, int count, int maxPerReceive = 10)
    {
        async Task<List<ReceivedMessage>> Loop()
        {
            var all = new List<ReceivedMessage>();
            while (all.Count < count)
            {
                all.AddRange(await Transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = Math.Min(maxPerReceive, count - all.Count), WaitTime = LongPoll }));
            }

            return all;
        }

        return await Loop().WithTimeout($"{count} message(s) on {queue}");
    }
}
