using MetaServer.Matches.Storage;

namespace MetaServer.Matches.Tests.Storage;

/// <summary>The contract suite on the reference <see cref="InMemoryMatchStore"/>.</summary>
public sealed class InMemoryMatchStoreContractTests : MatchStoreContract
{
    protected override Task<IMatchStore> CreateStoreAsync() => Task.FromResult<IMatchStore>(new InMemoryMatchStore(Clock));

    protected override Task DisposeStoreAsync() => Task.CompletedTask;
}
