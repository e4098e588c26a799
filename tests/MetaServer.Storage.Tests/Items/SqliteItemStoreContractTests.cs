using MetaServer.Storage.Sqlite;

namespace MetaServer.Storage.Tests.Items;

/// <summary>The contract suite on <see cref="SqliteItemStore"/>, a new database file in a temp folder per test.</summary>
public sealed class SqliteItemStoreContractTests : ItemStoreContract
{
    private readonly TempDirectory _folder = new();
    private SqliteItemStore? _sqlite;

    protected override async Task<IItemStore> CreateStoreAsync()
    {
        _sqlite = new SqliteItemStore(Path.Combine(_folder.Path, "data", "items.db"), "test_items", Clock);
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
