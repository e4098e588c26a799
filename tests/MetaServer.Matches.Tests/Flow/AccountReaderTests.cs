using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Sqlite;
using MetaServer.Matches.Accounts;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Matches.Tests.Flow;

public sealed class AccountReaderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "matches-reader-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTimeProvider _clock = new();
    private readonly SqliteAccountStore _store;

    public AccountReaderTests() => _store = new SqliteAccountStore(Path.Combine(_directory, "accounts.db"), timeProvider: _clock);

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task GetSnapshotsAsync_OldSchemaAccount_MigratedInMemoryNeverWritten()
    {
        var config = FlowHarness.Config;
        var old = new Account
        {
            AccountId = "acc-old",
            Revision = 1,
            SchemaVersion = 1,
            Nickname = "Oldtimer",
            CreatedAt = _clock.GetUtcNow(),
            LastLoginAt = _clock.GetUtcNow(),
            DeviceIds = ["device-old"],
        };
        await _store.CreateForDeviceAsync("device-old", old, CancellationToken.None);
        var reader = new AccountStoreMatchAccountReader(
            _store, new AccountMigrator([new StartingEconomyMigration(config)]), config, _clock, NullLogger<AccountStoreMatchAccountReader>.Instance);

        var snapshots = await reader.GetSnapshotsAsync(["acc-old", "acc-missing"], CancellationToken.None);

        var snapshot = Assert.Single(snapshots).Value;
        Assert.Equal("Oldtimer", snapshot.Nickname);
        Assert.Equal(config.Starting.Loadout.HeroId, snapshot.Loadout.Hero);
        var stored = await _store.GetAsync("acc-old", CancellationToken.None);
        Assert.Equal((1, 1L), (stored!.SchemaVersion, stored.Revision));
    }
}
