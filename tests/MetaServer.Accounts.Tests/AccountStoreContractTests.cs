using System.Collections.Immutable;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Storage;
using MetaServer.Testing;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// What every <see cref="IAccountStore"/> must do. A store's test class inherits this and supplies a fresh, empty
/// store per test plus a way to leave a half-finished device creation behind (device claimed, account missing).
/// </summary>
public abstract class AccountStoreContractTests : IAsyncLifetime
{
    private IAccountStore? _store;

    protected IAccountStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IAccountStore> CreateStoreAsync();

    /// <summary>Releases the store and deletes what it stored.</summary>
    protected abstract Task DisposeStoreAsync();

    /// <summary>Leaves what a crash between the device claim and the account write leaves: a claim of <paramref name="deviceId"/> for a missing account.</summary>
    protected abstract Task SeedHalfFinishedCreationAsync(string deviceId, string claimedAccountId);

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task CreateForDeviceAsync_NewDevice_CreatesAccountReadableById()
    {
        var device = TestAccounts.NewDeviceId();
        var account = TestAccounts.New(device) with { Nickname = "Zoë 🚀", LastLoginAt = null };

        var result = await Store.CreateForDeviceAsync(device, account, CancellationToken.None);

        Assert.True(result.Created);
        Assert.Equal(account.AccountId, result.Account.AccountId);
        var read = await Store.GetAsync(account.AccountId, CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(1, read.Revision);
        Assert.Equal(account.SchemaVersion, read.SchemaVersion);
        Assert.Equal("Zoë 🚀", read.Nickname);
        Assert.Equal(account.CreatedAt, read.CreatedAt);
        Assert.Null(read.LastLoginAt);
        Assert.Equal([device], read.DeviceIds.ToArray());
    }

    [Fact]
    public async Task TryUpdateAsync_EconomyFields_RoundTripExactly()
    {
        var device = TestAccounts.NewDeviceId();
        var account = TestAccounts.New(device);
        await Store.CreateForDeviceAsync(device, account, CancellationToken.None);
        var granted = Granted.None.AddCurrency("gems", 5).AddItem("crate", 2).AddXp(40);
        var changed = account with
        {
            Wallet = ImmutableDictionary<string, long>.Empty.Add("gold", 9_000_000_000).Add("gems", 0),
            Inventory = ImmutableDictionary<string, int>.Empty.Add("hero.a", 1).Add("crate", 7),
            Loadout = new AccountLoadout("hero.a", "weapon.p1", "weapon.s1", "weapon.m1", "avatar.a1"),
            Xp = 1234,
            Quests = ImmutableDictionary<string, QuestProgress>.Empty.Add("quest.kills-10", new QuestProgress(7, false, 2)).Add("quest.play-1", new QuestProgress(1, true, 1)),
            DailyLogin = new DailyLoginState(new DateOnly(2026, 2, 28), 2),
            OfferPurchases = ImmutableDictionary<string, int>.Empty.Add("offer.hero-b", 1),
            RecentMutations = [new MutationRecord("r-1", "accounts.purchase", "0123456789abcdef", granted, 2, TestAccounts.Epoch.AddMinutes(3))],
        };

        var update = await Store.TryUpdateAsync(changed, 1, CancellationToken.None);
        var read = await Store.GetAsync(account.AccountId, CancellationToken.None);

        Assert.True(update.Succeeded);
        Assert.NotNull(read);
        Assert.Equal(2, read.Revision);
        Assert.Equal(changed.Wallet.OrderBy(e => e.Key), read.Wallet.OrderBy(e => e.Key));
        Assert.Equal(changed.Inventory.OrderBy(e => e.Key), read.Inventory.OrderBy(e => e.Key));
        Assert.Equal(changed.Loadout, read.Loadout);
        Assert.Equal(1234, read.Xp);
        Assert.Equal(changed.Quests.OrderBy(e => e.Key), read.Quests.OrderBy(e => e.Key));
        Assert.Equal(changed.DailyLogin, read.DailyLogin);
        Assert.Equal(changed.OfferPurchases.OrderBy(e => e.Key), read.OfferPurchases.OrderBy(e => e.Key));
        var record = Assert.Single(read.RecentMutations);
        Assert.Equal(("r-1", "accounts.purchase", "0123456789abcdef", 2L, TestAccounts.Epoch.AddMinutes(3)), (record.RequestKey, record.MessageType, record.Fingerprint, record.RevisionAfter, record.AppliedAt));
        Assert.Equal(granted.Currencies.OrderBy(e => e.Key), record.Granted.Currencies.OrderBy(e => e.Key));
        Assert.Equal(granted.Items.OrderBy(e => e.Key), record.Granted.Items.OrderBy(e => e.Key));
        Assert.Equal(40, record.Granted.Xp);
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(TestAccounts.NewId(), CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_DocumentWithUnknownFields_KeepsThem()
    {
        var device = TestAccounts.NewDeviceId();
        var account = TestAccounts.New(device) with
        {
            ExtraFields = TestAccounts.Extra(("futureField", """{"a":[1,2,3]}""")),
            CreationRequestId = "request-1",
        };
        await Store.CreateForDeviceAsync(device, account, CancellationToken.None);

        var read = await Store.GetAsync(account.AccountId, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal("request-1", read.CreationRequestId);
        Assert.Equal("""{"a":[1,2,3]}""", read.ExtraFields["futureField"].GetRawText());
    }

    [Fact]
    public async Task GetManyAsync_MixedKnownMissingAndDuplicateIds_ReturnsOnlyKnown()
    {
        var created = new List<Account>();
        for (var i = 0; i < 3; i++)
        {
            var device = TestAccounts.NewDeviceId();
            created.Add((await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None)).Account);
        }

        // More ids than one batch of any store, with duplicates and missing ids.
        var ids = Enumerable.Range(0, 1200).Select(_ => TestAccounts.NewId()).ToList();
        ids.InsertRange(700, created.Select(a => a.AccountId));
        ids.Add(created[0].AccountId);

        var found = await Store.GetManyAsync(ids, CancellationToken.None);

        Assert.Equal(created.Select(a => a.AccountId).Order(), found.Keys.Order());
        foreach (var account in created)
        {
            Assert.Equal(account.Nickname, found[account.AccountId].Nickname);
        }
    }

    [Fact]
    public async Task GetManyAsync_NoIds_ReturnsEmpty()
    {
        Assert.Empty(await Store.GetManyAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task FindByDeviceAsync_UnknownDevice_ReturnsNull()
    {
        Assert.Null(await Store.FindByDeviceAsync(TestAccounts.NewDeviceId(), CancellationToken.None));
    }

    [Fact]
    public async Task FindByDeviceAsync_LinkedDevice_ReturnsItsAccount()
    {
        var device = TestAccounts.NewDeviceId();
        var other = TestAccounts.NewDeviceId();
        var account = TestAccounts.New(device);
        await Store.CreateForDeviceAsync(device, account, CancellationToken.None);
        await Store.CreateForDeviceAsync(other, TestAccounts.New(other), CancellationToken.None);

        var found = await Store.FindByDeviceAsync(device, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(account.AccountId, found.AccountId);
    }

    [Fact]
    public async Task CreateForDeviceAsync_DeviceAlreadyHasAccount_ReturnsExistingNotCreated()
    {
        var device = TestAccounts.NewDeviceId();
        var first = TestAccounts.New(device);
        await Store.CreateForDeviceAsync(device, first, CancellationToken.None);

        var second = await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None);

        Assert.False(second.Created);
        Assert.Equal(first.AccountId, second.Account.AccountId);
    }

    [Fact]
    public async Task CreateForDeviceAsync_ManyParallelCallsForOneDevice_EndWithOneAccount()
    {
        const int Callers = 32;
        var device = TestAccounts.NewDeviceId();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Callers)
            .Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None);
            }))
            .ToArray();

        start.SetResult();
        var results = await Task.WhenAll(calls).WithTimeout("parallel creations");

        Assert.Single(results, r => r.Created);
        var accountId = Assert.Single(results.Select(r => r.Account.AccountId).Distinct());
        var found = await Store.FindByDeviceAsync(device, CancellationToken.None);
        Assert.Equal(accountId, found?.AccountId);
        var candidates = await Store.GetManyAsync(results.Select(r => r.Account.AccountId).ToArray(), CancellationToken.None);
        Assert.Single(candidates);
    }

    [Fact]
    public async Task CreateForDeviceAsync_HalfFinishedCreation_CompletesWithClaimedAccountId()
    {
        var device = TestAccounts.NewDeviceId();
        var claimedId = TestAccounts.NewId();
        await SeedHalfFinishedCreationAsync(device, claimedId);
        Assert.Null(await Store.FindByDeviceAsync(device, CancellationToken.None));

        var result = await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None);

        Assert.True(result.Created);
        Assert.Equal(claimedId, result.Account.AccountId);
        Assert.Equal(claimedId, (await Store.FindByDeviceAsync(device, CancellationToken.None))?.AccountId);
        Assert.Equal(claimedId, (await Store.GetAsync(claimedId, CancellationToken.None))?.AccountId);
    }

    [Fact]
    public async Task CreateForDeviceAsync_ParallelCallsOnHalfFinishedCreation_EndWithOneAccount()
    {
        var device = TestAccounts.NewDeviceId();
        var claimedId = TestAccounts.NewId();
        await SeedHalfFinishedCreationAsync(device, claimedId);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None);
            }))
            .ToArray();

        start.SetResult();
        var results = await Task.WhenAll(calls).WithTimeout("parallel completions");

        Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(claimedId, r.Account.AccountId));
    }

    [Fact]
    public async Task TryUpdateAsync_CurrentRevision_WritesNextRevision()
    {
        var device = TestAccounts.NewDeviceId();
        var account = (await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None)).Account;
        var later = TestAccounts.Epoch.AddHours(5);

        var result = await Store.TryUpdateAsync(account with { LastLoginAt = later, Nickname = "Renamed" }, 1, CancellationToken.None);

        Assert.Equal(AccountUpdateStatus.Updated, result.Status);
        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Account?.Revision);
        var read = await Store.GetAsync(account.AccountId, CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(2, read.Revision);
        Assert.Equal("Renamed", read.Nickname);
        Assert.Equal(later, read.LastLoginAt);
    }

    [Fact]
    public async Task TryUpdateAsync_StaleRevision_ConflictsAndDoesNotOverwrite()
    {
        var device = TestAccounts.NewDeviceId();
        var account = (await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None)).Account;
        Assert.True((await Store.TryUpdateAsync(account with { Nickname = "Winner" }, 1, CancellationToken.None)).Succeeded);

        var stale = await Store.TryUpdateAsync(account with { Nickname = "Loser" }, 1, CancellationToken.None);

        Assert.Equal(AccountUpdateStatus.Conflict, stale.Status);
        Assert.False(stale.Succeeded);
        Assert.Null(stale.Account);
        var read = await Store.GetAsync(account.AccountId, CancellationToken.None);
        Assert.Equal("Winner", read?.Nickname);
        Assert.Equal(2, read?.Revision);
    }

    [Fact]
    public async Task TryUpdateAsync_MissingAccount_ConflictsAndCreatesNothing()
    {
        var device = TestAccounts.NewDeviceId();
        var ghost = TestAccounts.New(device);

        var result = await Store.TryUpdateAsync(ghost, 1, CancellationToken.None);

        Assert.Equal(AccountUpdateStatus.Conflict, result.Status);
        Assert.Null(await Store.GetAsync(ghost.AccountId, CancellationToken.None));
    }

    [Fact]
    public async Task TryUpdateAsync_ConcurrentWritersRetryingOnConflict_LoseNoUpdate()
    {
        const int Writers = 8;
        const int IncrementsPerWriter = 15;
        var device = TestAccounts.NewDeviceId();
        var account = (await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None)).Account;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, Writers)
            .Select(_ => Task.Run(async () =>
            {
                await start.Task;
                for (var i = 0; i < IncrementsPerWriter; i++)
                {
                    while (true)
                    {
                        var current = await Store.GetAsync(account.AccountId, CancellationToken.None)
                            ?? throw new InvalidOperationException("account vanished");
                        var next = TestAccounts.WithCounter(current, TestAccounts.Counter(current) + 1);
                        if ((await Store.TryUpdateAsync(next, current.Revision, CancellationToken.None)).Succeeded)
                        {
                            break;
                        }
                    }
                }
            }))
            .ToArray();

        start.SetResult();
        await Task.WhenAll(writers).WithTimeout("concurrent writers");

        var final = await Store.GetAsync(account.AccountId, CancellationToken.None);
        Assert.NotNull(final);
        Assert.Equal(Writers * IncrementsPerWriter, TestAccounts.Counter(final));
        Assert.Equal(1 + (Writers * IncrementsPerWriter), final.Revision);
    }
}
