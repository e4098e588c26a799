using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MetaServer.DynamoDb;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Storage.Tests.Items;

/// <summary>One dynalite stand-in per test class; each test makes its own table in it.</summary>
public sealed class ItemsDynaliteFixture : IAsyncLifetime
{
    private StandIn? _standIn;

    public StandIn StandIn => _standIn ?? throw new InvalidOperationException("dynalite is started in InitializeAsync.");

    /// <summary>Store options for the stand-in with explicit fake credentials (never the machine's).</summary>
    public TestItemTableOptions Options() => new()
    {
        ServiceUrl = StandIn.HttpEndpoint.ToString(),
        Region = "us-east-1",
        AccessKeyId = "test",
        SecretAccessKey = "test",
        MaxErrorRetry = 2,
    };

    public AmazonDynamoDBClient CreateClient() => DynamoDbClientFactory.Create(Options());

    /// <summary>A store on a new, created table; the store owns its client.</summary>
    public async Task<DynamoDbItemStore> CreateStoreAsync(TimeProvider timeProvider)
    {
        var store = NewStore(CreateClient(), NewTableName(), timeProvider);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None);
        return store;
    }

    /// <summary>A store on <paramref name="tableName"/> (not created) that owns <paramref name="client"/>.</summary>
    public static DynamoDbItemStore NewStore(IAmazonDynamoDB client, string tableName, TimeProvider timeProvider) =>
        new(client, tableName, "Test", TestItemTableOptions.SectionName, timeProvider, NullLogger.Instance, ownsClient: true);

    public static string NewTableName() => "test-items-" + Guid.NewGuid().ToString("N");

    public async Task DeleteTableAsync(string tableName)
    {
        using var client = CreateClient();
        try
        {
            await client.DeleteTableAsync(new DeleteTableRequest { TableName = tableName });
        }
        catch (ResourceNotFoundException)
        {
            // Never created.
        }
    }

    public async Task InitializeAsync() => _standIn = await StandIn.StartDynamoDbAsync();

    public async Task DisposeAsync()
    {
        if (_standIn is not null)
        {
            await _standIn.DisposeAsync();
        }
    }
}

/// <summary>Table options of the tests' item stores.</summary>
public sealed class TestItemTableOptions : DynamoDbTableOptions
{
    public const string SectionName = "MetaServer:Test:DynamoDb";

    protected override string DefaultTableNameSuffix => "items";
}

/// <summary>A manual clock's time (expiry follows the test's clock) with real timers (the store's polling and back-off delays).</summary>
internal sealed class WallTimersManualNow(TimeProvider now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.GetUtcNow();
}
