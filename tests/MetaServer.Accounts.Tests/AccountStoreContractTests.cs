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

    /// <summary>The clock of claim timestamps; stores must be created on it.</summary>
    protected ManualTimeProvider Clock { get; } = new(TestAccounts.Epoch);

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

    [Fact]
    public async Task CreateForIdentityAsync_CustomId_FoundByIdentityButNotAsDeviceOrOtherKind()
    {
        var custom = new LinkedIdentity(IdentityKind.Custom, "player-" + Guid.NewGuid().ToString("N"));
        var account = TestAccounts.NewFor(custom);

        var result = await Store.CreateForIdentityAsync(custom, account, CancellationToken.None);

        Assert.True(result.Created);
        var found = await Store.FindByIdentityAsync(custom, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(account.AccountId, found.AccountId);
        Assert.Equal([custom], found.Identities.ToArray());
        Assert.Empty(found.DeviceIds);
        Assert.Null(await Store.FindByDeviceAsync(custom.Id, CancellationToken.None));
        Assert.Null(await Store.FindByIdentityAsync(new LinkedIdentity(IdentityKind.Google, custom.Id), CancellationToken.None));
        var again = await Store.CreateForIdentityAsync(custom, TestAccounts.NewFor(custom), CancellationToken.None);
        Assert.False(again.Created);
        Assert.Equal(account.AccountId, again.Account.AccountId);
    }

    [Fact]
    public async Task ClaimIdentityAsync_ClaimedByAnotherAccount_ReturnsHolderAndOwnerMayClaimAgain()
    {
        var (owner, _) = await CreateDeviceAccountAsync();
        var (other, _) = await CreateDeviceAccountAsync();
        var google = new LinkedIdentity(IdentityKind.Google, "sub-" + Guid.NewGuid().ToString("N"));

        var first = await Store.ClaimIdentityAsync(google, owner.AccountId, CancellationToken.None);
        await LinkInAccountAsync(owner, google);
        var again = await Store.ClaimIdentityAsync(google, owner.AccountId, CancellationToken.None);
        var stolen = await Store.ClaimIdentityAsync(google, other.AccountId, CancellationToken.None);

        Assert.True(first.Claimed);
        Assert.True(again.Claimed);
        Assert.False(stolen.Claimed);
        Assert.Equal(owner.AccountId, stolen.HeldByAccountId);
        Assert.Equal(owner.AccountId, (await Store.FindByIdentityAsync(google, CancellationToken.None))?.AccountId);
    }

    [Fact]
    public async Task ReleaseIdentityAsync_OnlyTheHoldersRelease_FreesTheIdentity()
    {
        var (owner, _) = await CreateDeviceAccountAsync();
        var (other, _) = await CreateDeviceAccountAsync();
        var custom = new LinkedIdentity(IdentityKind.Custom, "c-" + Guid.NewGuid().ToString("N"));
        Assert.True((await Store.ClaimIdentityAsync(custom, owner.AccountId, CancellationToken.None)).Claimed);
        var linked = await LinkInAccountAsync(owner, custom);

        await Store.ReleaseIdentityAsync(custom, other.AccountId, CancellationToken.None);
        Assert.False((await Store.ClaimIdentityAsync(custom, other.AccountId, CancellationToken.None)).Claimed);

        // Unlink order: account first, then the claim.
        Assert.True((await Store.TryUpdateAsync(linked.WithoutIdentity(custom), linked.Revision, CancellationToken.None)).Succeeded);
        await Store.ReleaseIdentityAsync(custom, owner.AccountId, CancellationToken.None);
        await Store.ReleaseIdentityAsync(custom, owner.AccountId, CancellationToken.None);

        Assert.Null(await Store.FindByIdentityAsync(custom, CancellationToken.None));
        Assert.True((await Store.ClaimIdentityAsync(custom, other.AccountId, CancellationToken.None)).Claimed);
    }

    [Fact]
    public async Task FindByDeviceAsync_DeviceUnlinkedFromAccountButClaimLeft_ReturnsNull()
    {
        var (account, device) = await CreateDeviceAccountAsync();
        var custom = new LinkedIdentity(IdentityKind.Custom, "c-" + Guid.NewGuid().ToString("N"));
        Assert.True((await Store.ClaimIdentityAsync(custom, account.AccountId, CancellationToken.None)).Claimed);
        var linked = await LinkInAccountAsync(account, custom);

        // Crash point: the account no longer lists the device, its claim was not released yet.
        Assert.True((await Store.TryUpdateAsync(linked.WithoutIdentity(LinkedIdentity.Device(device)), linked.Revision, CancellationToken.None)).Succeeded);

        Assert.Null(await Store.FindByDeviceAsync(device, CancellationToken.None));
        Assert.Equal(account.AccountId, (await Store.FindByIdentityAsync(custom, CancellationToken.None))?.AccountId);
    }

    [Fact]
    public async Task ClaimIdentityAsync_DanglingClaim_RefusedWhileYoungTakenOverWhenStale()
    {
        var (holder, _) = await CreateDeviceAccountAsync();
        var (other, _) = await CreateDeviceAccountAsync();
        var apple = new LinkedIdentity(IdentityKind.Apple, "sub-" + Guid.NewGuid().ToString("N"));

        // Crash point: a link of holder claimed the identity and never updated the account.
        Assert.True((await Store.ClaimIdentityAsync(apple, holder.AccountId, CancellationToken.None)).Claimed);
        var young = await Store.ClaimIdentityAsync(apple, other.AccountId, CancellationToken.None);
        Clock.Advance(IdentityClaims.StaleAfter);
        var stale = await Store.ClaimIdentityAsync(apple, other.AccountId, CancellationToken.None);

        Assert.False(young.Claimed);
        Assert.Equal(holder.AccountId, young.HeldByAccountId);
        Assert.True(stale.Claimed);
        Assert.False((await Store.ClaimIdentityAsync(apple, holder.AccountId, CancellationToken.None)).Claimed);
    }

    [Fact]
    public async Task CreateForIdentityAsync_DanglingClaim_BusyWhileYoungCreatesWhenStale()
    {
        var (holder, _) = await CreateDeviceAccountAsync();
        var custom = new LinkedIdentity(IdentityKind.Custom, "c-" + Guid.NewGuid().ToString("N"));
        Assert.True((await Store.ClaimIdentityAsync(custom, holder.AccountId, CancellationToken.None)).Claimed);

        await Assert.ThrowsAsync<IdentityClaimBusyException>(() => Store.CreateForIdentityAsync(custom, TestAccounts.NewFor(custom), CancellationToken.None));
        Clock.Advance(IdentityClaims.StaleAfter + TimeSpan.FromSeconds(1));
        var fresh = TestAccounts.NewFor(custom);
        var created = await Store.CreateForIdentityAsync(custom, fresh, CancellationToken.None);

        Assert.True(created.Created);
        Assert.Equal(fresh.AccountId, created.Account.AccountId);
        Assert.Equal(fresh.AccountId, (await Store.FindByIdentityAsync(custom, CancellationToken.None))?.AccountId);
    }

    [Fact]
    public async Task ClaimIdentityAsync_HalfFinishedCreation_StaysWithTheClaimedAccount()
    {
        var device = TestAccounts.NewDeviceId();
        var claimedId = TestAccounts.NewId();
        await SeedHalfFinishedCreationAsync(device, claimedId);
        var (other, _) = await CreateDeviceAccountAsync();
        Clock.Advance(IdentityClaims.StaleAfter * 10);

        var claim = await Store.ClaimIdentityAsync(LinkedIdentity.Device(device), other.AccountId, CancellationToken.None);

        Assert.False(claim.Claimed);
        Assert.Equal(claimedId, claim.HeldByAccountId);
    }

    [Fact]
    public async Task GetAsync_AccountWithIdentitiesAndBan_RoundTrips()
    {
        var (account, _) = await CreateDeviceAccountAsync();
        var changed = account.WithIdentity(new LinkedIdentity(IdentityKind.Google, "g-1")).WithIdentity(new LinkedIdentity(IdentityKind.Custom, "c-1")) with
        {
            Ban = new AccountBan { Reason = "cheating", BannedAt = TestAccounts.Epoch, ExpiresAt = TestAccounts.Epoch.AddDays(3), Operator = "ops" },
        };
        changed = changed.WithModerationEntry(new ModerationEntry { Action = ModerationEntry.BanAction, RequestId = "r-1", Operator = "ops", At = TestAccounts.Epoch, Reason = "cheating" });
        Assert.True((await Store.TryUpdateAsync(changed, account.Revision, CancellationToken.None)).Succeeded);

        var read = await Store.GetAsync(account.AccountId, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(changed.Identities.ToArray(), read.Identities.ToArray());
        Assert.Equal(changed.Ban, read.Ban);
        Assert.Equal("r-1", Assert.Single(read.ModerationLog).RequestId);
    }

    private async Task<(Account Account, string DeviceId)> CreateDeviceAccountAsync()
    {
        var device = TestAccounts.NewDeviceId();
        var result = await Store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None);
        Assert.True(result.Created);
        return (result.Account, device);
    }

    /// <summary>Step 2 of a link: the account lists the identity.</summary>
    private async Task<Account> LinkInAccountAsync(Account account, LinkedIdentity identity)
    {
        var current = await Store.GetAsync(account.AccountId, CancellationToken.None) ?? throw new InvalidOperationException("missing account");
        var update = await Store.TryUpdateAsync(current.WithIdentity(identity), current.Revision, CancellationToken.None);
        Assert.True(update.Succeeded);
        return update.Account!;
    }
}
