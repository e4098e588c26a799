using System.Threading.Channels;
using MetaServer.Messaging.Sqs;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Messaging.Tests.Sqs;

/// <summary>Receive pacing and batch routing of <see cref="SqsTransport"/>, on a scripted SQS client and a manual clock.</summary>
public sealed class SqsTransportPacingTests
{
    private const string Queue = "pace-q";
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(10);
    private static readonly ReceiveOptions LongPoll = new() { MaxMessages = 10, WaitTime = TimeSpan.FromSeconds(20) };

    private readonly ManualTimeProvider _clock = new();
    private readonly ScriptedSqsClient _client = new();

    private SqsTransport NewTransport() => new(
        _client,
        new SqsOptions { Region = "us-east-1", SendLinger = Linger, DeleteLinger = Linger, ReceiveLinger = Linger },
        _clock,
        NullLogger<SqsTransport>.Instance);

    [Fact]
    public async Task ReceiveAsync_AfterThinReceive_WaitsReceiveLingerSinceItsStart()
    {
        await using var transport = NewTransport();
        _client.Script(1);
        Assert.Single(await transport.ReceiveAsync(Queue, LongPoll).AsTask().WithTimeout("the first receive"));
        _clock.Advance(TimeSpan.FromMilliseconds(3));
        _client.Script(4);

        var second = transport.ReceiveAsync(Queue, LongPoll).AsTask();
        _clock.Advance(TimeSpan.FromMilliseconds(6));
        Assert.Equal(1, _client.Receives);
        Assert.False(second.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(4, (await second.WithTimeout("the paced receive")).Count);
        Assert.Equal(2, _client.Receives);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public async Task ReceiveAsync_AfterEmptyOrFullReceive_PollsAtOnce(int firstCount)
    {
        await using var transport = NewTransport();
        _client.Script(firstCount);
        Assert.Equal(firstCount, (await transport.ReceiveAsync(Queue, LongPoll).AsTask().WithTimeout("the first receive")).Count);
        _client.Script(2);

        var second = await transport.ReceiveAsync(Queue, LongPoll).AsTask().WithTimeout("the second receive");

        Assert.Equal(2, second.Count);
        Assert.Equal(2, _client.Receives);
    }

    [Fact]
    public async Task ReceiveAsync_ShortPollOrSingleMessage_NeverPaced()
    {
        await using var transport = NewTransport();
        _client.Script(1);
        await transport.ReceiveAsync(Queue, LongPoll).AsTask().WithTimeout("the thin receive");
        _client.Script(1);
        _client.Script(1);

        await transport.ReceiveAsync(Queue, new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.Zero }).AsTask().WithTimeout("the short poll");
        await transport.ReceiveAsync(Queue, new ReceiveOptions { MaxMessages = 1, WaitTime = TimeSpan.FromSeconds(20) }).AsTask().WithTimeout("the one-message receive");

        Assert.Equal(3, _client.Receives);
    }

    [Fact]
    public async Task SendBatchAsync_ConcurrentCallersUnderTraffic_ShareOneCallWithPerEntryOutcomes()
    {
        await using var transport = NewTransport();
        await transport.SendAsync(Queue, "idle"u8.ToArray()).AsTask().WithTimeout("the idle send");
        Assert.Equal(1, _client.SingleSends);

        var callers = new[]
        {
            transport.SendBatchAsync(Queue, [Body("a0"), Body("a1")]).AsTask(),
            transport.SendBatchAsync(Queue, [Body("b0"), Body(ScriptedSqsClient.Rejected)]).AsTask(),
            transport.SendBatchAsync(Queue, [Body("c0")]).AsTask(),
        };
        Assert.Equal(0, _client.BatchSends);
        _clock.Advance(Linger);

        var results = await Task.WhenAll(callers).WithTimeout("the batch sends");
        Assert.Equal(1, _client.BatchSends);
        Assert.Equal(5, _client.LastBatchSize);
        Assert.All(results[0], r => Assert.True(r.Succeeded));
        Assert.True(results[1][0].Succeeded);
        Assert.False(results[1][1].Succeeded);
        Assert.Equal("InvalidMessageContents", results[1][1].ErrorCode);
        Assert.Equal(1, results[1][1].Index);
        Assert.True(results[2][0].Succeeded);
    }

    [Fact]
    public async Task DeleteBatchAsync_ConcurrentCallersUnderTraffic_ShareOneCall()
    {
        await using var transport = NewTransport();
        await transport.DeleteAsync(Queue, SqsTransport.HandlePrefix + "h0").AsTask().WithTimeout("the idle delete");

        var a = transport.DeleteBatchAsync(Queue, [SqsTransport.HandlePrefix + "h1", SqsTransport.HandlePrefix + "h2"]).AsTask();
        var b = transport.DeleteAsync(Queue, SqsTransport.HandlePrefix + "h3").AsTask();
        _clock.Advance(Linger);

        Assert.All(await a.WithTimeout("the batch delete"), r => Assert.True(r.Succeeded));
        await b.WithTimeout("the single delete");
        Assert.Equal(1, _client.SingleDeletes);
        Assert.Equal(1, _client.BatchDeletes);
    }

    private static ReadOnlyMemory<byte> Body(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>Answers receives from a script (each entry: how many messages), accepts sends and deletes, counts calls.</summary>
    private sealed class ScriptedSqsClient : ISqsClient
    {
        public const string Rejected = "rejected";

        private readonly Channel<int> _script = Channel.CreateUnbounded<int>();
        private int _receives;
        private int _singleSends;
        private int _batchSends;
        private int _lastBatchSize;
        private int _singleDeletes;
        private int _batchDeletes;
        private int _nextId;

        public int Receives => Volatile.Read(ref _receives);

        public int SingleSends => Volatile.Read(ref _singleSends);

        public int BatchSends => Volatile.Read(ref _batchSends);

        public int LastBatchSize => Volatile.Read(ref _lastBatchSize);

        public int SingleDeletes => Volatile.Read(ref _singleDeletes);

        public int BatchDeletes => Volatile.Read(ref _batchDeletes);

        public void Script(int messages) => _script.Writer.TryWrite(messages);

        public Task<GetQueueUrlResponse> GetQueueUrlAsync(GetQueueUrlRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GetQueueUrlResponse { QueueUrl = "http://scripted/000000000000/" + request.QueueName });

        public async Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _receives);
            var count = await _script.Reader.ReadAsync(cancellationToken);
            var messages = Enumerable.Range(0, count).Select(_ =>
            {
                var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new SqsMessage { MessageId = id, ReceiptHandle = "h" + id, Body = Convert.ToBase64String("x"u8) };
            }).ToList();
            return new ReceiveMessageResponse { Messages = messages };
        }

        public Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _singleSends);
            return Task.FromResult(new SendMessageResponse { MessageId = NewId() });
        }

        public Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _batchSends);
            Volatile.Write(ref _lastBatchSize, request.Entries.Count);
            var rejected = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Rejected));
            return Task.FromResult(new SendMessageBatchResponse
            {
                Successful = request.Entries.Where(e => e.MessageBody != rejected).Select(e => new SendMessageBatchResultEntry { Id = e.Id, MessageId = NewId() }).ToList(),
                Failed = request.Entries.Where(e => e.MessageBody == rejected).Select(e => new BatchResultErrorEntry { Id = e.Id, Code = "InvalidMessageContents", Message = "rejected", SenderFault = true }).ToList(),
            });
        }

        public Task<DeleteMessageResponse> DeleteMessageAsync(DeleteMessageRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _singleDeletes);
            return Task.FromResult(new DeleteMessageResponse());
        }

        public Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _batchDeletes);
            return Task.FromResult(new DeleteMessageBatchResponse { Successful = request.Entries.Select(e => new DeleteMessageBatchResultEntry { Id = e.Id }).ToList() });
        }

        public Task<CreateQueueResponse> CreateQueueAsync(CreateQueueRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<GetQueueAttributesResponse> GetQueueAttributesAsync(GetQueueAttributesRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<SetQueueAttributesResponse> SetQueueAttributesAsync(SetQueueAttributesRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<DeleteQueueResponse> DeleteQueueAsync(DeleteQueueRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<PurgeQueueResponse> PurgeQueueAsync(PurgeQueueRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<ListQueuesResponse> ListQueuesAsync(ListQueuesRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<TagQueueResponse> TagQueueAsync(TagQueueRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<ListQueueTagsResponse> ListQueueTagsAsync(ListQueueTagsRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<ChangeMessageVisibilityResponse> ChangeMessageVisibilityAsync(ChangeMessageVisibilityRequest request, CancellationToken cancellationToken = default) => throw Unused();

        public Task<ChangeMessageVisibilityBatchResponse> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, CancellationToken cancellationToken = default) => throw Unused();

        private string NewId() => Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

        private static NotSupportedException Unused() => new("Not used by these tests.");
    }
}
