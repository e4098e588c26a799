using System.Collections.Concurrent;
using MetaServer.Messaging.Sqs;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Messaging.Tests.Sqs;

/// <summary>SQS-specific behaviour of <see cref="SqsTransport"/> and <see cref="ReplyQueueJanitor"/> against fauxqs.</summary>
public sealed class SqsTransportTests(FauxqsFixture fauxqs) : IClassFixture<FauxqsFixture>
{
    private readonly string _runId = Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task SendAsync_ConcurrentWhileCallInFlight_CoalescedIntoBatchCalls()
    {
        var client = new CountingClient(fauxqs.CreateClient());
        var options = fauxqs.Options(o => o.MaxConcurrentBatchCalls = 1);
        await using var transport = new SqsTransport(client, options, TimeProvider.System, NullLogger<SqsTransport>.Instance);
        var queue = $"tr-{_runId}-batch";
        await transport.CreateQueueAsync(queue, new QueueSettings());
        client.HoldNextSend = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var hold = client.HoldNextSend;
        string[] ids;
        try
        {
            var first = transport.SendAsync(queue, "m0"u8.ToArray()).AsTask();
            await client.SendHeld.Task.WithTimeout("the first send to reach SQS");
            var rest = Enumerable.Range(1, 29).Select(i => transport.SendAsync(queue, System.Text.Encoding.UTF8.GetBytes($"m{i}")).AsTask()).ToList();
            hold.SetResult();
            ids = await Task.WhenAll(rest.Prepend(first)).WithTimeout("all sends");
        }
        finally
        {
            hold.TrySetResult();
        }

        Assert.Equal(30, ids.Distinct().Count());
        Assert.Equal(1, client.Count("SendMessage"));
        Assert.Equal(3, client.Count("SendMessageBatch"));
        var received = new List<ReceivedMessage>();
        while (received.Count < 30)
        {
            received.AddRange(await transport.ReceiveAsync(queue, new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.FromSeconds(5) }));
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), received.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        await Task.WhenAll(received.Select(m => transport.DeleteAsync(queue, m.ReceiptHandle).AsTask())).WithTimeout("all deletes");
        Assert.True(client.Count("DeleteMessage") + client.Count("DeleteMessageBatch") < 30, "Concurrent deletes share calls.");
        Assert.Equal(new QueueCounts(0, 0), await transport.GetQueueCountsAsync(queue));
        await transport.DeleteQueueAsync(queue);
    }

    [Fact]
    public async Task CreateQueueAsync_ExistingWithOtherSettings_AppliesNewSettings()
    {
        var client = fauxqs.CreateClient();
        await using var transport = new SqsTransport(client, fauxqs.Options(), TimeProvider.System, NullLogger<SqsTransport>.Instance);
        var dlq = $"tr-{_runId}-dlq";
        var queue = $"tr-{_runId}-change";
        await transport.CreateQueueAsync(dlq, new QueueSettings());
        await transport.CreateQueueAsync(queue, new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(30) });

        await transport.CreateQueueAsync(queue, new QueueSettings { VisibilityTimeout = TimeSpan.FromSeconds(45), Redrive = new RedrivePolicy(dlq, 3) });

        var url = (await client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue })).QueueUrl;
        var attributes = (await client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["All"] })).Attributes!;
        Assert.Equal("45", attributes["VisibilityTimeout"]);
        Assert.Contains("\"maxReceiveCount\":3", attributes["RedrivePolicy"], StringComparison.Ordinal);
        Assert.Contains(dlq, attributes["RedrivePolicy"], StringComparison.Ordinal);
        await transport.DeleteQueueAsync(queue);
        await transport.DeleteQueueAsync(dlq);
    }

    [Fact]
    public async Task ReceiveAsync_BodyNotBase64_DeliveredAsUtf8Text()
    {
        var client = fauxqs.CreateClient();
        await using var transport = new SqsTransport(client, fauxqs.Options(), TimeProvider.System, NullLogger<SqsTransport>.Instance);
        var queue = $"tr-{_runId}-text";
        await transport.CreateQueueAsync(queue, new QueueSettings());
        var url = (await client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queue })).QueueUrl;
        await client.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "not base64 {}" });

        var received = await transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(5) });

        Assert.Equal("not base64 {}", System.Text.Encoding.UTF8.GetString(Assert.Single(received).Body.Span));
        await transport.DeleteQueueAsync(queue);
    }

    [Fact]
    public async Task SweepAsync_AbandonedReplyQueue_DeletedLiveAndOwnedKept()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var options = fauxqs.Options(o =>
        {
            o.ReplyQueueHeartbeatInterval = TimeSpan.FromMinutes(1);
            o.ReplyQueueOrphanAge = TimeSpan.FromMinutes(10);
        });
        var names = new QueueNames($"j{_runId}");
        var client = fauxqs.CreateClient(options, time);
        await using var crashed = new SqsTransport(client, options, time, NullLogger<SqsTransport>.Instance, names.ReplyQueuePrefix);
        await using var alive = new SqsTransport(client, options, time, NullLogger<SqsTransport>.Instance, names.ReplyQueuePrefix);
        await using var janitorOwner = new SqsTransport(client, options, time, NullLogger<SqsTransport>.Instance, names.ReplyQueuePrefix);
        await crashed.CreateQueueAsync(names.ReplyQueue("crashed"), new QueueSettings());
        await alive.CreateQueueAsync(names.ReplyQueue("alive"), new QueueSettings());
        await janitorOwner.CreateQueueAsync(names.ReplyQueue("own"), new QueueSettings());
        await janitorOwner.CreateQueueAsync(names.ForMessageType("accounts.login"), new QueueSettings());
        var janitor = new ReplyQueueJanitor(client, janitorOwner, options, names.ReplyQueuePrefix, time, NullLogger<ReplyQueueJanitor>.Instance);
        Assert.Empty(await janitor.SweepAsync());

        time.Advance(TimeSpan.FromMinutes(11));
        await alive.HeartbeatReplyQueuesAsync();
        var deleted = await janitor.SweepAsync();

        Assert.Equal([names.ReplyQueue("crashed")], deleted);
        Assert.False(await janitorOwner.QueueExistsAsync(names.ReplyQueue("crashed")));
        Assert.True(await janitorOwner.QueueExistsAsync(names.ReplyQueue("alive")));
        Assert.True(await janitorOwner.QueueExistsAsync(names.ReplyQueue("own")));
        Assert.True(await janitorOwner.QueueExistsAsync(names.ForMessageType("accounts.login")));
        Assert.Equal([names.ReplyQueue("alive")], alive.OwnedReplyQueues);
        await alive.DeleteQueueAsync(names.ReplyQueue("alive"));
        Assert.Empty(alive.OwnedReplyQueues);
        await janitorOwner.DeleteQueueAsync(names.ReplyQueue("own"));
        await janitorOwner.DeleteQueueAsync(names.ForMessageType("accounts.login"));
    }

    [Fact]
    public async Task AddSqsTransport_ValidConfiguration_ResolvesSqsTransport()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaServer:Sqs:ServiceUrl"] = fauxqs.Endpoint.ToString(),
            ["MetaServer:Sqs:Region"] = "us-east-1",
            ["MetaServer:Sqs:AccessKey"] = "test",
            ["MetaServer:Sqs:SecretKey"] = "test",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(new QueueNames("di"));
        services.AddSqsTransport(configuration);
        await using var provider = services.BuildServiceProvider();

        var transport = provider.GetRequiredService<IMessageTransport>();

        Assert.IsType<SqsTransport>(transport);
        var queue = $"di-{_runId}";
        await transport.CreateQueueAsync(queue, new QueueSettings());
        Assert.True(await transport.QueueExistsAsync(queue));
        await transport.DeleteQueueAsync(queue);
    }

    [Theory]
    [InlineData(null, "test", "x")]
    [InlineData("eu-west-1", "test", null)]
    [InlineData("eu-west-1", null, null, "ftp://example")]
    public void AddSqsTransport_InvalidConfiguration_FailsValidation(string? region, string? accessKey, string? secretKey, string? serviceUrl = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaServer:Sqs:Region"] = region,
            ["MetaServer:Sqs:AccessKey"] = accessKey,
            ["MetaServer:Sqs:SecretKey"] = secretKey,
            ["MetaServer:Sqs:ServiceUrl"] = serviceUrl,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(new QueueNames("di"));
        services.AddSqsTransport(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqsOptions>>().Value);
    }

    /// <summary>Counts calls by action and can hold the next SendMessage/SendMessageBatch until released.</summary>
    private sealed class CountingClient(ISqsClient inner) : ISqsClient
    {
        private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

        public TaskCompletionSource? HoldNextSend { get; set; }

        public TaskCompletionSource SendHeld { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count(string action) => _counts.GetValueOrDefault(action);

        private void Hit(string action) => _counts.AddOrUpdate(action, 1, (_, n) => n + 1);

        private async Task HoldAsync()
        {
            if (HoldNextSend is { } hold)
            {
                HoldNextSend = null;
                SendHeld.TrySetResult();
                await hold.Task;
            }
        }

        public Task<CreateQueueResponse> CreateQueueAsync(CreateQueueRequest request, CancellationToken cancellationToken = default) { Hit("CreateQueue"); return inner.CreateQueueAsync(request, cancellationToken); }

        public Task<GetQueueUrlResponse> GetQueueUrlAsync(GetQueueUrlRequest request, CancellationToken cancellationToken = default) { Hit("GetQueueUrl"); return inner.GetQueueUrlAsync(request, cancellationToken); }

        public Task<GetQueueAttributesResponse> GetQueueAttributesAsync(GetQueueAttributesRequest request, CancellationToken cancellationToken = default) { Hit("GetQueueAttributes"); return inner.GetQueueAttributesAsync(request, cancellationToken); }

        public Task<SetQueueAttributesResponse> SetQueueAttributesAsync(SetQueueAttributesRequest request, CancellationToken cancellationToken = default) { Hit("SetQueueAttributes"); return inner.SetQueueAttributesAsync(request, cancellationToken); }

        public Task<DeleteQueueResponse> DeleteQueueAsync(DeleteQueueRequest request, CancellationToken cancellationToken = default) { Hit("DeleteQueue"); return inner.DeleteQueueAsync(request, cancellationToken); }

        public Task<PurgeQueueResponse> PurgeQueueAsync(PurgeQueueRequest request, CancellationToken cancellationToken = default) { Hit("PurgeQueue"); return inner.PurgeQueueAsync(request, cancellationToken); }

        public Task<ListQueuesResponse> ListQueuesAsync(ListQueuesRequest request, CancellationToken cancellationToken = default) { Hit("ListQueues"); return inner.ListQueuesAsync(request, cancellationToken); }

        public Task<TagQueueResponse> TagQueueAsync(TagQueueRequest request, CancellationToken cancellationToken = default) { Hit("TagQueue"); return inner.TagQueueAsync(request, cancellationToken); }

        public Task<ListQueueTagsResponse> ListQueueTagsAsync(ListQueueTagsRequest request, CancellationToken cancellationToken = default) { Hit("ListQueueTags"); return inner.ListQueueTagsAsync(request, cancellationToken); }

        public async Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default)
        {
            Hit("SendMessage");
            await HoldAsync();
            return await inner.SendMessageAsync(request, cancellationToken);
        }

        public async Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
        {
            Hit("SendMessageBatch");
            await HoldAsync();
            return await inner.SendMessageBatchAsync(request, cancellationToken);
        }

        public Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default) { Hit("ReceiveMessage"); return inner.ReceiveMessageAsync(request, cancellationToken); }

        public Task<DeleteMessageResponse> DeleteMessageAsync(DeleteMessageRequest request, CancellationToken cancellationToken = default) { Hit("DeleteMessage"); return inner.DeleteMessageAsync(request, cancellationToken); }

        public Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, CancellationToken cancellationToken = default) { Hit("DeleteMessageBatch"); return inner.DeleteMessageBatchAsync(request, cancellationToken); }

        public Task<ChangeMessageVisibilityResponse> ChangeMessageVisibilityAsync(ChangeMessageVisibilityRequest request, CancellationToken cancellationToken = default) { Hit("ChangeMessageVisibility"); return inner.ChangeMessageVisibilityAsync(request, cancellationToken); }

        public Task<ChangeMessageVisibilityBatchResponse> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, CancellationToken cancellationToken = default) { Hit("ChangeMessageVisibilityBatch"); return inner.ChangeMessageVisibilityBatchAsync(request, cancellationToken); }
    }
}
