using MetaServer.Matches.DynamoDb;
using MetaServer.Matches.Storage;

namespace MetaServer.Matches.Tests.Storage;

/// <summary>The contract suite on <see cref="DynamoDbMatchStore"/> against dynalite (one per class), a fresh table per test.</summary>
public sealed class DynamoDbMatchStoreContractTests(DynaliteFixture dynalite) : MatchStoreContract, IClassFixture<DynaliteFixture>
{
    private DynamoDbMatchStore? _dynamo;

    protected override async Task<IMatchStore> CreateStoreAsync()
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
