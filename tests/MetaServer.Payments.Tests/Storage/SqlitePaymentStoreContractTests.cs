using MetaServer.Payments.Sqlite;
using MetaServer.Payments.Storage;

namespace MetaServer.Payments.Tests.Storage;

/// <summary>The contract suite on <see cref="SqlitePaymentStore"/>, a new database file in a temp folder per test.</summary>
public sealed class SqlitePaymentStoreContractTests : PaymentStoreContract
{
    private readonly TempDirectory _folder = new();
    private SqlitePaymentStore? _sqlite;

    protected override async Task<IPaymentStore> CreateStoreAsync()
    {
        _sqlite = new SqlitePaymentStore(Path.Combine(_folder.Path, "data", "payments.db"), Clock);
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
