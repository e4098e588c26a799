using System.Text.Json;
using MetaServer.Messaging.Sqs;

namespace MetaServer.Messaging.Tests.Sqs;

/// <summary>Every <see cref="ISqsClient"/> action against the fauxqs stand-in.</summary>
public sealed class SqsClientStandInTests(FauxqsFixture fauxqs) : IClassFixture<FauxqsFixture>
{
    private readonly string _runId = Guid.NewGuid().ToString("N")[..10];

    private SqsClient Client { get; } = fauxqs.CreateClient();

    private string Name(string suffix) => $"cl-{_runId}-{suffix}";

    [Fact]
    public async Task QueueLifecycle_CreateGetUrlAttributesListDelete_Work()
    {
        var created = await Client.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = Name("life"),
            Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "45" },
        });

        var url = (await Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = Name("life") })).QueueUrl;
        Assert.Equal(created.QueueUrl, url);
        var attributes = (await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["All"] })).Attributes!;
        Assert.Equal("45", attributes["VisibilityTimeout"]);
        Assert.EndsWith(":" + Name("life"), attributes["QueueArn"], StringComparison.Ordinal);

        await Client.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = url, Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "60" } });
        Assert.Equal("60", (await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["VisibilityTimeout"] })).Attributes!["VisibilityTimeout"]);

        var listed = await Client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = $"cl-{_runId}-" });
        Assert.Equal([url], listed.QueueUrls);

        await Client.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url });
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => Client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = Name("life") }));
    }

    [Fact]
    public async Task CreateQueueAsync_SameNameOtherAttributes_ThrowsQueueNameExists()
    {
        await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("dup"), Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "30" } });

        var ex = await Assert.ThrowsAsync<SqsException>(() => Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("dup"), Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "31" } }));

        Assert.Equal(TransportErrorCodes.QueueNameExists, ex.ErrorCode);
    }

    [Fact]
    public async Task SetQueueAttributesAsync_RedrivePolicy_MovesMessageToDeadLetterQueue()
    {
        var dlq = (await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("dlq") })).QueueUrl;
        var queue = (await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("src"), Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "0" } })).QueueUrl;
        var arn = (await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = dlq, AttributeNames = ["QueueArn"] })).Attributes!["QueueArn"];
        await Client.SetQueueAttributesAsync(new SetQueueAttributesRequest
        {
            QueueUrl = queue,
            Attributes = new Dictionary<string, string> { ["RedrivePolicy"] = JsonSerializer.Serialize(new { deadLetterTargetArn = arn, maxReceiveCount = 1 }) },
        });
        await Client.SendMessageAsync(new SendMessageRequest { QueueUrl = queue, MessageBody = "poison" });

        Assert.Single((await Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 5 })).Messages!);
        Assert.Null((await Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = 1 })).Messages);

        var dead = await Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = dlq, WaitTimeSeconds = 5 });
        Assert.Equal("poison", Assert.Single(dead.Messages!).Body);
    }

    [Fact]
    public async Task Messages_SendReceiveVisibilityDelete_Work()
    {
        var url = (await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("msg"), Attributes = new Dictionary<string, string> { ["VisibilityTimeout"] = "600" } })).QueueUrl;
        var sent = await Client.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "one" });
        var batch = await Client.SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = url,
            Entries = [new SendMessageBatchRequestEntry { Id = "a", MessageBody = "two" }, new SendMessageBatchRequestEntry { Id = "b", MessageBody = "three" }],
        });
        Assert.Equal(["a", "b"], batch.Successful!.Select(s => s.Id).Order(StringComparer.Ordinal));

        var received = new List<SqsMessage>();
        while (received.Count < 3)
        {
            var response = await Client.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 5,
                MessageSystemAttributeNames = ["ApproximateReceiveCount", "SentTimestamp"],
            });
            received.AddRange(response.Messages ?? []);
        }

        Assert.Contains(received, m => m.MessageId == sent.MessageId && m.Body == "one");
        Assert.All(received, m => Assert.Equal("1", m.Attributes!["ApproximateReceiveCount"]));
        Assert.All(received, m => Assert.True(long.Parse(m.Attributes!["SentTimestamp"], System.Globalization.CultureInfo.InvariantCulture) > 0));

        // Release one at once, keep one hidden, and report the bogus handle per entry.
        var visibility = await Client.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
        {
            QueueUrl = url,
            Entries =
            [
                new ChangeMessageVisibilityBatchRequestEntry { Id = "r", ReceiptHandle = received[0].ReceiptHandle, VisibilityTimeout = 0 },
                new ChangeMessageVisibilityBatchRequestEntry { Id = "x", ReceiptHandle = "bogus", VisibilityTimeout = 0 },
            ],
        });
        Assert.Equal("r", Assert.Single(visibility.Successful!).Id);
        Assert.Equal("x", Assert.Single(visibility.Failed!).Id);
        await Client.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest { QueueUrl = url, ReceiptHandle = received[1].ReceiptHandle, VisibilityTimeout = 300 });
        var again = await Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 5, MessageSystemAttributeNames = ["ApproximateReceiveCount"] });
        var redelivered = Assert.Single(again.Messages!);
        Assert.Equal(received[0].MessageId, redelivered.MessageId);
        Assert.Equal("2", redelivered.Attributes!["ApproximateReceiveCount"]);

        await Client.DeleteMessageAsync(new DeleteMessageRequest { QueueUrl = url, ReceiptHandle = redelivered.ReceiptHandle });
        var deleted = await Client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
        {
            QueueUrl = url,
            Entries = [new DeleteMessageBatchRequestEntry { Id = "1", ReceiptHandle = received[1].ReceiptHandle }, new DeleteMessageBatchRequestEntry { Id = "2", ReceiptHandle = received[2].ReceiptHandle }],
        });
        Assert.Equal(2, deleted.Successful!.Count);
        var counts = (await Client.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] })).Attributes!;
        Assert.Equal(("0", "0"), (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]));
    }

    [Fact]
    public async Task PurgeQueueAsync_QueueWithMessages_EmptiesIt()
    {
        var url = (await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("purge") })).QueueUrl;
        await Client.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "x" });

        await Client.PurgeQueueAsync(new PurgeQueueRequest { QueueUrl = url });

        Assert.Null((await Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url })).Messages);
    }

    [Fact]
    public async Task TagQueueAsync_ThenListQueueTags_ReturnsTags()
    {
        var url = (await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("tags"), Tags = new Dictionary<string, string> { ["a"] = "1" } })).QueueUrl;

        await Client.TagQueueAsync(new TagQueueRequest { QueueUrl = url, Tags = new Dictionary<string, string> { ["b"] = "2" } });

        var tags = (await Client.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = url })).Tags!;
        Assert.Equal("1", tags["a"]);
        Assert.Equal("2", tags["b"]);
    }

    [Fact]
    public async Task SendMessageBatchAsync_ElevenEntries_ThrowsTooManyEntries()
    {
        var url = (await Client.CreateQueueAsync(new CreateQueueRequest { QueueName = Name("eleven") })).QueueUrl;

        var ex = await Assert.ThrowsAsync<SqsException>(() => Client.SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = url,
            Entries = Enumerable.Range(0, 11).Select(i => new SendMessageBatchRequestEntry { Id = $"e{i}", MessageBody = "x" }).ToList(),
        }));

        Assert.Equal(TransportErrorCodes.TooManyEntriesInBatchRequest, ex.ErrorCode);
    }
}
