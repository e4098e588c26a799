using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using MetaServer.Accounts.DynamoDb;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using T = MetaServer.Accounts.DynamoDb.AccountsTableDefinition;

namespace MetaServer.Accounts.Tests;

/// <summary>What only the DynamoDB store has: table checks, stored attributes, unprocessed keys, and the handlers on it.</summary>
public sealed class DynamoDbAccountStoreTests(DynaliteFixture dynalite) : IClassFixture<DynaliteFixture>, IAsyncLifetime
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
        using var store = NewStore(out var table);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(createIfMissing: false, CancellationToken.None));

        Assert.Contains(table, error.Message, StringComparison.Ordinal);
        Assert.Contains("CreateTableIfMissing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InitializeAsync_CreateIfMissing_CreatesActiveTableWithDefinedKeySchemaAndIsIdempotent()
    {
        using var store = NewStore(out var table);

        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");
        await store.InitializeAsync(createIfMissing: false, CancellationToken.None).WithTimeout("check table");

        using var client = dynalite.CreateClient();
        var description = (await client.DescribeTableAsync(table)).Table;
        Assert.Equal(TableStatus.ACTIVE, description.TableStatus);
        Assert.Null(T.DescribeKeySchemaMismatch(description));
        Assert.Equal([(T.PartitionKey, "HASH"), (T.SortKey, "RANGE")], description.KeySchema.Select(k => (k.AttributeName, k.KeyType.Value)).ToArray());
        Assert.Equal(BillingMode.PAY_PER_REQUEST, description.BillingModeSummary?.BillingMode);
    }

    [Fact]
    public async Task InitializeAsync_TableWithOtherKeySchema_ThrowsMismatch()
    {
        using var store = NewStore(out var table);
        using var client = dynalite.CreateClient();
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(createIfMissing: true, CancellationToken.None));

        Assert.Contains("key schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateForDeviceAsync_NewDevice_StoresRevisionSchemaVersionAndDocumentAsAttributes()
    {
        using var store = await NewInitializedStoreAsync(new ManualTimeProvider(TestAccounts.Epoch));
        var device = TestAccounts.NewDeviceId();
        var account = TestAccounts.New(device, schemaVersion: 0);

        await store.CreateForDeviceAsync(device, account, CancellationToken.None);
        await store.TryUpdateAsync(account with { SchemaVersion = 1 }, 1, CancellationToken.None);

        using var client = dynalite.CreateClient();
        var item = (await client.GetItemAsync(new GetItemRequest { TableName = store.TableName, Key = T.AccountKey(account.AccountId), ConsistentRead = true })).Item;
        Assert.Equal(account.AccountId, item[T.AccountIdAttribute].S);
        Assert.Equal("2", item[T.RevisionAttribute].N);
        Assert.Equal("1", item[T.SchemaVersionAttribute].N);
        Assert.StartsWith("{", item[T.DocumentAttribute].S, StringComparison.Ordinal);
        var claim = (await client.GetItemAsync(new GetItemRequest { TableName = store.TableName, Key = T.DeviceKey(device), ConsistentRead = true })).Item;
        Assert.Equal(account.AccountId, claim[T.AccountIdAttribute].S);
        Assert.Equal(TestAccounts.Epoch, DateTimeOffset.Parse(claim[T.ClaimedAtAttribute].S, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetManyAsync_ServiceLeavesKeysUnprocessed_RetriesUntilAllRead()
    {
        var table = NewTableName();
        using var flaky = new UnprocessedKeysClient(dynalite.Options(), unprocessedRounds: 3);
        using var store = new DynamoDbAccountStore(flaky, table, TimeProvider.System, NullLogger<DynamoDbAccountStore>.Instance);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var device = TestAccounts.NewDeviceId();
            ids.Add((await store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None)).Account.AccountId);
        }

        var found = await store.GetManyAsync(ids, CancellationToken.None).WithTimeout("batch get with unprocessed keys");

        Assert.Equal(ids.Order(), found.Keys.Order());
        Assert.True(flaky.BatchCalls >= 4, $"expected retries of the unprocessed keys, saw {flaky.BatchCalls} calls");
    }

    [Fact]
    public async Task GetManyAsync_KeysNeverProcessed_ThrowsAfterBoundedRetries()
    {
        var table = NewTableName();
        using var flaky = new UnprocessedKeysClient(dynalite.Options(), unprocessedRounds: int.MaxValue);
        using var store = new DynamoDbAccountStore(flaky, table, TimeProvider.System, NullLogger<DynamoDbAccountStore>.Instance);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("create table");

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(
            () => store.GetManyAsync([TestAccounts.NewId()], CancellationToken.None).WithTimeout("bounded retries"));

        Assert.Equal(DynamoDbAccountStore.MaxUnprocessedRetries + 1, flaky.BatchCalls);
    }

    [Fact]
    public async Task LoginHandler_ParallelFirstLoginsOfOneDevice_OneAccountAndOneCreated()
    {
        using var store = await NewInitializedStoreAsync();
        using var harness = new HandlerHarness(wrapStore: _ => store);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logins = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await harness.LoginAsync("shared-device");
            }))
            .ToArray();

        start.SetResult();
        var results = await Task.WhenAll(logins).WithTimeout("parallel logins");

        Assert.All(results, r => Assert.Equal(ResultCode.Ok, r.Result.Code));
        Assert.Single(results, r => r.Created);
        var accountId = Assert.Single(results.Select(r => r.Account.AccountId).Distinct());
        Assert.Equal(accountId, (await store.FindByDeviceAsync("shared-device", CancellationToken.None))?.AccountId);
    }

    [Fact]
    public async Task LoginHandler_RedeliveredCreatingMessage_ReturnsSameAccountWithoutSecondOne()
    {
        using var store = await NewInitializedStoreAsync();
        using var harness = new HandlerHarness(wrapStore: _ => store);
        var request = HandlerHarness.LoginRequest("my-phone", messageId: "login-1");
        var first = HandlerHarness.SingleResult(request, await harness.Login.HandleAsync(request, CancellationToken.None));
        var redelivery = request with { ReceiveCount = 2 };

        var again = HandlerHarness.SingleResult(redelivery, await harness.Login.HandleAsync(redelivery, CancellationToken.None));

        Assert.Equal(first.Account.AccountId, again.Account.AccountId);
        Assert.True(again.Created, "a redelivery of the creating login is still that login");
        var otherLogin = await harness.LoginAsync("my-phone");
        Assert.False(otherLogin.Created);
        Assert.Equal(first.Account.AccountId, otherLogin.Account.AccountId);
    }

    [Fact]
    public async Task LoginHandler_HalfFinishedCreationOfDevice_CompletesItAndRepliesCreated()
    {
        using var store = await NewInitializedStoreAsync();
        using var harness = new HandlerHarness(wrapStore: _ => store);
        using (var client = dynalite.CreateClient())
        {
            var claim = T.DeviceKey("crashed-device");
            claim[T.AccountIdAttribute] = new AttributeValue { S = "claimed-account" };
            await client.PutItemAsync(new PutItemRequest { TableName = store.TableName, Item = claim });
        }

        var result = await harness.LoginAsync("crashed-device");

        Assert.Equal(ResultCode.Ok, result.Result.Code);
        Assert.True(result.Created);
        Assert.Equal("claimed-account", result.Account.AccountId);
    }

    private string NewTableName()
    {
        var table = DynaliteFixture.NewTableName();
        _tables.Add(table);
        return table;
    }

    private DynamoDbAccountStore NewStore(out string table, TimeProvider? clock = null)
    {
        table = NewTableName();
        return new DynamoDbAccountStore(
            dynalite.CreateClient(), table, clock ?? TimeProvider.System, NullLogger<DynamoDbAccountStore>.Instance, ownsClient: true);
    }

    /// <summary>A store on a created table. The table is created on the system clock (its wait for ACTIVE polls).</summary>
    private async Task<DynamoDbAccountStore> NewInitializedStoreAsync(TimeProvider? clock = null)
    {
        var store = NewStore(out var table, clock);
        using var creator = new DynamoDbAccountStore(dynalite.CreateClient(), table, TimeProvider.System, NullLogger<DynamoDbAccountStore>.Instance, ownsClient: true);
        await creator.InitializeAsync(createIfMissing: true, CancellationToken.None).WithTimeout("table creation");
        return store;
    }

    /// <summary>
    /// A real client on dynalite whose first <c>unprocessedRounds</c> BatchGetItem calls read only nothing and hand
    /// every key back as unprocessed, as DynamoDB does under throttling.
    /// </summary>
    private sealed class UnprocessedKeysClient(DynamoDbAccountStoreOptions options, int unprocessedRounds)
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
