using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MetaServer.DynamoDb;
using MetaServer.Friends.DynamoDb;
using MetaServer.Friends.Sqlite;
using MetaServer.Friends.Storage;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Friends.Tests.Storage;

/// <summary>The contract suite on the reference <see cref="InMemoryFriendStore"/>.</summary>
public sealed class InMemoryFriendStoreContractTests : FriendStoreContract
{
    protected override Task<IFriendStore> CreateStoreAsync() => Task.FromResult<IFriendStore>(new InMemoryFriendStore());

    protected override Task DisposeStoreAsync() => Task.CompletedTask;
}

/// <summary>The contract suite on <see cref="SqliteFriendStore"/>, a new database file in a temp folder per test.</summary>
public sealed class SqliteFriendStoreContractTests : FriendStoreContract
{
    private readonly TempDirectory _folder = new();
    private SqliteFriendStore? _sqlite;

    protected override async Task<IFriendStore> CreateStoreAsync()
    {
        _sqlite = new SqliteFriendStore(Path.Combine(_folder.Path, "data", "friends.db"));
        await _sqlite.InitializeAsync(CancellationToken.None);
        return _sqlite;
    }

    protected override Task DisposeStoreAsync()
    {
        _sqlite?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The contract suite on <see cref="DynamoDbFriendStore"/> against dynalite (one per class), a fresh table per test.</summary>
public sealed class DynamoDbFriendStoreContractTests(DynaliteFixture dynalite) : FriendStoreContract, IClassFixture<DynaliteFixture>
{
    private DynamoDbFriendStore? _dynamo;

    protected override async Task<IFriendStore> CreateStoreAsync()
    {
        _dynamo = await dynalite.CreateStoreAsync();
        return _dynamo;
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_dynamo is not null)
        {
            await dynalite.DeleteTableAsync(_dynamo.TableName);
            _dynamo.Dispose();
        }
    }
}

/// <summary>One dynalite stand-in per test class; each test makes its own table in it.</summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    private StandIn? _standIn;

    public StandIn StandIn => _standIn ?? throw new InvalidOperationException("dynalite is started in InitializeAsync.");

    /// <summary>Store options for the stand-in with explicit fake credentials (never the machine's).</summary>
    public DynamoDbFriendStoreOptions Options() => new()
    {
        ServiceUrl = StandIn.HttpEndpoint.ToString(),
        Region = "us-east-1",
        AccessKeyId = "test",
        SecretAccessKey = "test",
        MaxErrorRetry = 2,
    };

    public AmazonDynamoDBClient CreateClient() => DynamoDbClientFactory.Create(Options());

    /// <summary>A store on a new, created table; the store owns its client.</summary>
    public async Task<DynamoDbFriendStore> CreateStoreAsync()
    {
        var store = new DynamoDbFriendStore(CreateClient(), "test-friends-" + Guid.NewGuid().ToString("N"), TimeProvider.System, NullLogger<DynamoDbFriendStore>.Instance, ownsClient: true);
        await store.InitializeAsync(createIfMissing: true, CancellationToken.None);
        return store;
    }

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
