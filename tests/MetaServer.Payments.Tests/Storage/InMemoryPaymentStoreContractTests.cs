using MetaServer.Payments.Storage;

namespace MetaServer.Payments.Tests.Storage;

/// <summary>The contract suite on the reference <see cref="InMemoryPaymentStore"/>.</summary>
public sealed class InMemoryPaymentStoreContractTests : PaymentStoreContract
{
    protected override Task<IPaymentStore> CreateStoreAsync() => Task.FromResult<IPaymentStore>(new InMemoryPaymentStore(Clock));

    protected override Task DisposeStoreAsync() => Task.CompletedTask;
}
