using MetaServer.Payments.DynamoDb;
using MetaServer.Payments.Storage;

namespace MetaServer.Payments.Tests.Storage;

/// <summary>The contract suite on <see cref="DynamoDbPaymentStore"/> against dynalite (one per class), a fresh table per test.</summary>
public sealed class DynamoDbPaymentStoreContractTests(DynaliteFixture dynalite) : PaymentStoreContract, IClassFixture<DynaliteFixture>
{
    private DynamoDbPaymentStore? _dynamo;

    protected override async Task<IPaymentStore> CreateStoreAsync()
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
