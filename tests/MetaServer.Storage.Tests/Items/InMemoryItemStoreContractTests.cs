
namespace MetaServer.Storage.Tests.Items;

/// <summary>The contract suite on the reference <see cref="InMemoryItemStore"/>.</summary>
public sealed class InMemoryItemStoreContractTests : ItemStoreContract
{
    protected override Task<IItemStore> CreateStoreAsync() => Task.FromResult<IItemStore>(new InMemoryItemStore(Clock));

    protected override Task DisposeStoreAsync() => Task.CompletedTask;
}
