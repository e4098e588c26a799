using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using MetaServer.DynamoDb;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using T = MetaServer.DynamoDb.ItemTableDefinition;

namespace MetaServer.Storage.Tests.Items;

/// <summary>What only the DynamoDB store has: the table check at start, the stored attributes, unprocessed keys.</summary>
public sealed class DynamoDbItemStoreTests(ItemsDynaliteFixture dynalite) : IClassFixture<ItemsDynaliteFixture>, IAsyncLifetime
{
    private readonly List<string> _tables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            await dynalite.DeleteTableAsync(table);
        }
    }

    [Fact]
    public async Task InitializeAsync_MissingTableWithoutCreate_ThrowsNamingTable()
    {
        using var store = NewStore(dynalite.CreateClient(), TimeProvider.System, out var table);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(createIfMissing: false, CancellationToken.None));

        Assert.Contains(table, error.Message, StringComparison.Ordinal);
        Assert.Contains("CreateTableIfMissing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_CreateIfMissing_CreatesTableWithDefinedKeySchemaAndIsIdempotent()
    {
        using var store = NewStore(dynalite.CreateClient(), TimeProvider.System, out var table);

        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");
        await store.InitializeAsync(createIfMissing: false, CancellationToken.None).WithTimeout("check table");

        using var client = dynalite.CreateClient();
        var description = (await client.DescribeTableAsync(table)).Table;
        Assert.Null(T.DescribeKeySchemaMismatch(description));
        Assert.Equal(BillingMode.PAY_PER_REQUEST, description.BillingModeSummary?.BillingMode ?? BillingMode.PAY_PER_REQUEST);
    }

    [Fact]
    public async Task InitializeAsync_TableWithOtherKeySchema_ThrowsMismatch()
    {
        var table = ItemsDynaliteFixture.NewTableName();
        _tables.Add(table);
        using var client = dynalite.CreateClient();
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE)],
            AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S), new AttributeDefinition("sk", ScalarAttributeType.S)],
        });
        using var store = ItemsDynaliteFixture.NewStore(dynalite.CreateClient(), table, TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(createIfMissing: true, CancellationToken.None));

        Assert.Contains("key schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryWriteAsync_WithExpiry_StoresVersionValueAndExpiresAtInEpochSecondsRoundedUp()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        using var store = NewStore(dynalite.CreateClient(), new WallTimersManualNow(clock), out var table);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");
        var expiresAt = clock.GetUtcNow().AddSeconds(10.25);

        Assert.Equal(1, await store.TryWriteAsync("ticket#t1", new byte[] { 1, 2, 3 }, 0, expiresAt));

        using var client = dynalite.CreateClient();
        var item = (await client.GetItemAsync(new GetItemRequest { TableName = table, Key = T.Key("ticket#t1"), ConsistentRead = true })).Item;
        Assert.Equal("1", item[T.VersionAttribute].N);
        Assert.Equal(new byte[] { 1, 2, 3 }, item[T.ValueAttribute].B.ToArray());
        var seconds = clock.GetUtcNow().AddSeconds(11).ToUnixTimeSeconds();
        Assert.Equal(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), item[T.ExpiresAtAttribute].N);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds), (await store.GetAsync("ticket#t1"))!.ExpiresAt);
        clock.Advance(TimeSpan.FromSeconds(10.5));
        Assert.NotNull(await store.GetAsync("ticket#t1"));
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(await store.GetAsync("ticket#t1"));
    }

    [Fact]
    public async Task TryWriteAsync_WithoutExpiry_WritesNoExpiresAtAttribute()
    {
        using var store = NewStore(dynalite.CreateClient(), TimeProvider.System, out var table);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");

        await store.TryWriteAsync("match#m1", new byte[] { 9 }, 0, null);

        using var client = dynalite.CreateClient();
        var item = (await client.GetItemAsync(new GetItemRequest { TableName = table, Key = T.Key("match#m1"), ConsistentRead = true })).Item;
        Assert.False(item.ContainsKey(T.ExpiresAtAttribute));
    }

    [Fact]
    public async Task GetManyAsync_ServiceLeavesKeysUnprocessed_RetriesUntilAllRead()
    {
        var flaky = new UnprocessedKeysClient(dynalite.Options(), unprocessedRounds: 3);
        using var store = NewStore(flaky, TimeProvider.System, out _);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");
        var keys = Enumerable.Range(0, 5).Select(i => $"rating#p{i}").ToArray();
        foreach (var key in keys)
        {
            await store.TryWriteAsync(key, new byte[] { 7 }, 0, null);
        }

        var found = await store.GetManyAsync(keys).AsTask().WithTimeout("batch get with unprocessed keys");

        Assert.Equal(keys.Order(StringComparer.Ordinal), found.Select(i => i.Key).Order(StringComparer.Ordinal));
        Assert.True(flaky.BatchCalls >= 4, $"expected retries of the unprocessed keys, saw {flaky.BatchCalls} calls");
    }

    [Fact]
    public async Task GetManyAsync_KeysNeverProcessed_ThrowsAfterBoundedRetries()
    {
        var flaky = new UnprocessedKeysClient(dynalite.Options(), unprocessedRounds: int.MaxValue);
        using var store = NewStore(flaky, TimeProvider.System, out _);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => store.GetManyAsync(["rating#x"]).AsTask().WithTimeout("bounded retries"));

        Assert.Equal(DynamoDbItemStore.MaxUnprocessedRetries + 1, flaky.BatchCalls);
    }

    [Theory]
    [InlineData(1_000_000_000_000, 1_000_000_000)]
    [InlineData(1_000_000_000_001, 1_000_000_001)]
    [InlineData(1_000_000_000_999, 1_000_000_001)]
    [InlineData(0, 0)]
    [InlineData(-500, 0)]
    [InlineData(-1_000, -1)]
    public void ToEpochSeconds_PartialSecond_RoundsUp(long unixMilliseconds, long expectedSeconds)
    {
        Assert.Equal(expectedSeconds, T.ToEpochSeconds(DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds)));
    }

    /// <summary>A store on a new table name (deleted after the test) that owns <paramref name="client"/>.</summary>
    private DynamoDbItemStore NewStore(IAmazonDynamoDB client, TimeProvider timeProvider, out string table)
    {
        table = ItemsDynaliteFixture.NewTableName();
        _tables.Add(table);
        return ItemsDynaliteFixture.NewStore(client, table, timeProvider);
    }

    /// <summary>
    /// A real client on dynalite whose first <c>unprocessedRounds</c> BatchGetItem calls read nothing and hand every key
    /// back as unprocessed, as DynamoDB does under throttling.
    /// </summary>
    private sealed class UnprocessedKeysClient(TestItemTableOptions options, int unprocessedRounds)
        : AmazonDynamoDBClient(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), new AmazonDynamoDBConfig
        {
            ServiceURL = options.ServiceUrl,
            AuthenticationRegion = options.Region,
            MaxErrorRetry = 0,
        })
    {
        private int _calls;

        public int BatchCalls => Volatile.Read(ref _calls);

        public override Task<BatchGetItemResponse> BatchGetItemAsync(BatchGetItemRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) <= unprocessedRounds)
            {
                return Task.FromResult(new BatchGetItemResponse
                {
                    Responses = request.RequestItems.ToDictionary(r => r.Key, _ => new List<Dictionary<string, AttributeValue>>()),
                    UnprocessedKeys = request.RequestItems,
                });
            }

            return base.BatchGetItemAsync(request, cancellationToken);
        }
    }
}
