using MetaServer.DynamoDb;

namespace MetaServer.Storage.Tests.Items;

/// <summary>The contract suite on <see cref="DynamoDbItemStore"/> against dynalite (one per class), a fresh table per test.</summary>
public sealed class DynamoDbItemStoreContractTests(ItemsDynaliteFixture dynalite) : ItemStoreContract, IClassFixture<ItemsDynaliteFixture>
{
    private DynamoDbItemStore? _dynamo;

    protected override async Task<IItemStore> CreateStoreAsync()
    {
        _dynamo = await dynalite.CreateStoreAsync(new WallTimersManualNow(Clock));
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
