using MetaServer.Matches.Sqlite;
using MetaServer.Matches.Storage;

namespace MetaServer.Matches.Tests.Storage;

/// <summary>The contract suite on <see cref="SqliteMatchStore"/>, a new database file in a temp folder per test.</summary>
public sealed class SqliteMatchStoreContractTests : MatchStoreContract
{
    private readonly TempDirectory _folder = new();
    private SqliteMatchStore? _sqlite;

    protected override async Task<IMatchStore> CreateStoreAsync()
    {
        _sqlite = new SqliteMatchStore(Path.Combine(_folder.Path, "data", "matches.db"), Clock);
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
