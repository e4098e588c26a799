using System.Text;
using MetaServer.Testing;

namespace MetaServer.Storage.Tests.Items;

/// <summary>
/// What every <see cref="IItemStore"/> must do (the matches and payments stores are item stores). A store's test class inherits this and supplies a fresh, empty store
/// per test whose expiry follows <see cref="Clock"/>. Expiry times here are whole seconds: stores may round expiry up
/// to the second (DynamoDB keeps epoch seconds).
/// </summary>
public abstract class ItemStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Epoch = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private IItemStore? _store;

    protected IItemStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>The clock that decides expiry; stores must be created on it.</summary>
    protected ManualTimeProvider Clock { get; } = new(Epoch);

    /// <summary>A new, empty store on <see cref="Clock"/>.</summary>
    protected abstract Task<IItemStore> CreateStoreAsync();

    /// <summary>Releases the store and deletes what it stored.</summary>
    protected abstract Task DisposeStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task GetAsync_Absent_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(NewKey()));
    }

    [Fact]
    public async Task TryWriteAsync_CreateWithExpectedZero_ReturnsVersionOneAndReadsBack()
    {
        var key = NewKey();

        var version = await Store.TryWriteAsync(key, Bytes("first"), 0, null);

        Assert.Equal(1, version);
        var item = await Store.GetAsync(key);
        Assert.NotNull(item);
        Assert.Equal(key, item.Key);
        Assert.Equal(1, item.Version);
        Assert.Null(item.ExpiresAt);
        Assert.Equal("first", Text(item));
    }

    [Fact]
    public async Task TryWriteAsync_CreateWhenPresent_ReturnsNullAndKeepsItem()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("first"), 0, null);

        var conflict = await Store.TryWriteAsync(key, Bytes("second"), 0, null);

        Assert.Null(conflict);
        var item = await Store.GetAsync(key);
        Assert.Equal(1, item!.Version);
        Assert.Equal("first", Text(item));
    }

    [Fact]
    public async Task TryWriteAsync_ExpectedVersionOfAbsentItem_ReturnsNullAndCreatesNothing()
    {
        var key = NewKey();

        Assert.Null(await Store.TryWriteAsync(key, Bytes("x"), 1, null));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task TryWriteAsync_SuccessiveUpdates_IncrementVersion()
    {
        var key = NewKey();
        long? version = 0;

        for (var i = 1; i <= 4; i++)
        {
            version = await Store.TryWriteAsync(key, Bytes($"v{i}"), version!.Value, null);
            Assert.Equal(i, version);
        }

        var item = await Store.GetAsync(key);
        Assert.Equal(4, item!.Version);
        Assert.Equal("v4", Text(item));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TryWriteAsync_StaleOrFutureVersion_ReturnsNullAndKeepsItem(long expected)
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("a"), 0, null);
        await Store.TryWriteAsync(key, Bytes("b"), 1, null);

        Assert.Null(await Store.TryWriteAsync(key, Bytes("c"), expected, null));

        var item = await Store.GetAsync(key);
        Assert.Equal(2, item!.Version);
        Assert.Equal("b", Text(item));
    }

    [Fact]
    public async Task TryDeleteAsync_RightVersion_DeletesAndKeyCanBeCreatedAgain()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("a"), 0, null);
        await Store.TryWriteAsync(key, Bytes("b"), 1, null);

        Assert.True(await Store.TryDeleteAsync(key, 2));

        Assert.Null(await Store.GetAsync(key));
        Assert.Equal(1, await Store.TryWriteAsync(key, Bytes("again"), 0, null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TryDeleteAsync_WrongVersion_ReturnsFalseAndKeepsItem(long expected)
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("a"), 0, null);
        await Store.TryWriteAsync(key, Bytes("b"), 1, null);

        Assert.False(await Store.TryDeleteAsync(key, expected));

        Assert.Equal(2, (await Store.GetAsync(key))!.Version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task TryDeleteAsync_Absent_ReturnsFalse(long expected)
    {
        Assert.False(await Store.TryDeleteAsync(NewKey(), expected));
    }

    [Fact]
    public async Task GetAsync_BeforeExpiry_ReturnsItemWithItsExpiry()
    {
        var key = NewKey();
        var expiresAt = Clock.GetUtcNow().AddSeconds(30);
        await Store.TryWriteAsync(key, Bytes("lease"), 0, expiresAt);

        Clock.Advance(TimeSpan.FromSeconds(29));

        var item = await Store.GetAsync(key);
        Assert.NotNull(item);
        Assert.Equal(expiresAt, item.ExpiresAt);
    }

    [Fact]
    public async Task GetAsync_AtAndAfterExpiry_ReadsAbsent()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("lease"), 0, Clock.GetUtcNow().AddSeconds(30));

        Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await Store.GetAsync(key));
        Assert.Empty(await Store.GetManyAsync([key]));

        Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task TryWriteAsync_ExpiredItem_IsRecreatedWithExpectedZeroAtVersionOne()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("old"), 0, Clock.GetUtcNow().AddSeconds(5));
        await Store.TryWriteAsync(key, Bytes("older"), 1, Clock.GetUtcNow().AddSeconds(5));
        Clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Null(await Store.TryWriteAsync(key, Bytes("stale update"), 2, null));
        Assert.False(await Store.TryDeleteAsync(key, 2));
        var recreated = await Store.TryWriteAsync(key, Bytes("new"), 0, null);

        Assert.Equal(1, recreated);
        var item = await Store.GetAsync(key);
        Assert.NotNull(item);
        Assert.Equal("new", Text(item));
        Assert.Null(item.ExpiresAt);
    }

    [Fact]
    public async Task TryWriteAsync_UpdateWithoutExpiry_ClearsExpiry()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("lease"), 0, Clock.GetUtcNow().AddSeconds(10));

        Assert.Equal(2, await Store.TryWriteAsync(key, Bytes("kept"), 1, null));
        Clock.Advance(TimeSpan.FromMinutes(1));

        var item = await Store.GetAsync(key);
        Assert.NotNull(item);
        Assert.Null(item.ExpiresAt);
        Assert.Equal("kept", Text(item));
    }

    [Fact]
    public async Task TryWriteAsync_UpdateWithLaterExpiry_ExtendsLife()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("lease"), 0, Clock.GetUtcNow().AddSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(8));

        Assert.Equal(2, await Store.TryWriteAsync(key, Bytes("renewed"), 1, Clock.GetUtcNow().AddSeconds(10)));
        Clock.Advance(TimeSpan.FromSeconds(8));

        Assert.Equal(2, (await Store.GetAsync(key))!.Version);
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task GetManyAsync_SomePresent_ReturnsExactlyThePresentOnes()
    {
        var keys = Enumerable.Range(0, 6).Select(_ => NewKey()).ToArray();
        await Store.TryWriteAsync(keys[0], Bytes("zero"), 0, null);
        await Store.TryWriteAsync(keys[2], Bytes("two"), 0, null);
        await Store.TryWriteAsync(keys[2], Bytes("two-b"), 1, null);
        await Store.TryWriteAsync(keys[4], Bytes("four"), 0, Clock.GetUtcNow().AddSeconds(5));
        await Store.TryWriteAsync(keys[5], Bytes("five"), 0, Clock.GetUtcNow().AddSeconds(60));
        Clock.Advance(TimeSpan.FromSeconds(5));

        var found = await Store.GetManyAsync(keys);

        var byKey = found.ToDictionary(i => i.Key, StringComparer.Ordinal);
        Assert.Equal(new[] { keys[0], keys[2], keys[5] }.Order(StringComparer.Ordinal), byKey.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("zero", 1L), (Text(byKey[keys[0]]), byKey[keys[0]].Version));
        Assert.Equal(("two-b", 2L), (Text(byKey[keys[2]]), byKey[keys[2]].Version));
        Assert.Equal(("five", 1L), (Text(byKey[keys[5]]), byKey[keys[5]].Version));
    }

    [Fact]
    public async Task GetManyAsync_NoKeys_ReturnsEmpty()
    {
        Assert.Empty(await Store.GetManyAsync([]));
    }

    [Fact]
    public async Task GetManyAsync_MaxBatchKeys_ReadsThemAll()
    {
        var keys = Enumerable.Range(0, IItemStore.MaxBatchKeys).Select(_ => NewKey()).ToArray();
        foreach (var key in keys.Where((_, i) => i % 2 == 0))
        {
            await Store.TryWriteAsync(key, Bytes(key), 0, null);
        }

        var found = await Store.GetManyAsync(keys);

        Assert.Equal(IItemStore.MaxBatchKeys / 2, found.Count);
        Assert.All(found, item => Assert.Equal(item.Key, Text(item)));
    }

    [Fact]
    public async Task GetManyAsync_TooManyKeys_Throws()
    {
        var keys = Enumerable.Range(0, IItemStore.MaxBatchKeys + 1).Select(_ => NewKey()).ToArray();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetManyAsync(keys).AsTask());
    }

    [Fact]
    public async Task GetManyAsync_DuplicateKeys_Throws()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("x"), 0, null);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetManyAsync([key, NewKey(), key]).AsTask());
    }

    [Fact]
    public async Task GetManyAsync_NullOrEmptyKeyInList_Throws()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetManyAsync([NewKey(), ""]).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetManyAsync(null!).AsTask());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task AllMethods_NullOrEmptyKey_Throw(string? key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync(key!).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryWriteAsync(key!, Bytes("x"), 0, null).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryDeleteAsync(key!, 1).AsTask());
    }

    [Fact]
    public async Task AllMethods_KeyOverMaxBytes_Throw()
    {
        // 257 two-byte characters: 514 UTF-8 bytes, though only 257 chars.
        var key = new string('é', (IItemStore.MaxKeyBytes / 2) + 1);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync(key).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryWriteAsync(key, Bytes("x"), 0, null).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryDeleteAsync(key, 1).AsTask());
    }

    [Fact]
    public async Task TryWriteAsync_KeyOfMaxBytes_RoundTrips()
    {
        var key = "ticket#" + Guid.NewGuid().ToString("N") + new string('x', IItemStore.MaxKeyBytes - 39);
        Assert.Equal(IItemStore.MaxKeyBytes, Encoding.UTF8.GetByteCount(key));

        Assert.Equal(1, await Store.TryWriteAsync(key, Bytes("long key"), 0, null));

        Assert.Equal(key, (await Store.GetAsync(key))!.Key);
    }

    [Fact]
    public async Task TryWriteAsync_ValueOverMax_ThrowsAndStoresNothing()
    {
        var key = NewKey();

        await Assert.ThrowsAnyAsync<ArgumentException>(
            () => Store.TryWriteAsync(key, new byte[IItemStore.MaxValueBytes + 1], 0, null).AsTask());

        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task TryWriteAsync_NegativeExpectedVersion_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.TryWriteAsync(NewKey(), Bytes("x"), -1, null).AsTask());
    }

    [Fact]
    public async Task TryWriteAsync_ConcurrentCreates_ExactlyOneWins()
    {
        const int Writers = 12;
        var key = NewKey();
        using var start = new SemaphoreSlim(0, Writers);

        var writers = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            return (Writer: i, Version: await Store.TryWriteAsync(key, Bytes($"writer-{i}"), 0, null));
        })).ToArray();
        start.Release(Writers);
        var results = await Task.WhenAll(writers).WithTimeout("concurrent creates");

        var winner = Assert.Single(results, r => r.Version is not null);
        Assert.Equal(1, winner.Version);
        var item = await Store.GetAsync(key);
        Assert.Equal($"writer-{winner.Writer}", Text(item!));
    }

    [Fact]
    public async Task TryWriteAsync_ConcurrentUpdatesOfOneVersion_ExactlyOneWins()
    {
        const int Writers = 8;
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("base"), 0, null);
        using var start = new SemaphoreSlim(0, Writers);

        var writers = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            return (Writer: i, Version: await Store.TryWriteAsync(key, Bytes($"writer-{i}"), 1, null));
        })).ToArray();
        start.Release(Writers);
        var results = await Task.WhenAll(writers).WithTimeout("concurrent updates");

        var winner = Assert.Single(results, r => r.Version is not null);
        Assert.Equal(2, winner.Version);
        Assert.Equal($"writer-{winner.Writer}", Text((await Store.GetAsync(key))!));
    }

    [Fact]
    public async Task Values_EveryByteValueEmptyAndMaxSize_RoundTripExactly()
    {
        var allBytes = Enumerable.Range(0, 256).Select(b => (byte)b).Concat(Enumerable.Range(0, 256).Select(b => (byte)(255 - b))).ToArray();
        var large = new byte[IItemStore.MaxValueBytes];
        new Random(5).NextBytes(large);
        var cases = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [NewKey()] = allBytes,
            [NewKey()] = [],
            [NewKey()] = [0],
            [NewKey()] = large,
        };

        foreach (var (key, value) in cases)
        {
            Assert.Equal(1, await Store.TryWriteAsync(key, value, 0, null));
        }

        foreach (var (key, value) in cases)
        {
            Assert.Equal(value, (await Store.GetAsync(key))!.Value.ToArray());
        }

        var many = await Store.GetManyAsync([.. cases.Keys]);
        Assert.Equal(cases.Count, many.Count);
        Assert.All(many, item => Assert.Equal(cases[item.Key], item.Value.ToArray()));
    }

    [Fact]
    public async Task Keys_UnicodeAndSeparators_AreDistinctAndRoundTrip()
    {
        var suffix = Guid.NewGuid().ToString("N");
        string[] keys = ["player#Zoë🚀" + suffix, "ticket#Zoë🚀" + suffix, "match#a#b " + suffix, "player#zoë🚀" + suffix];

        foreach (var key in keys)
        {
            Assert.Equal(1, await Store.TryWriteAsync(key, Bytes(key), 0, null));
        }

        foreach (var key in keys)
        {
            var item = await Store.GetAsync(key);
            Assert.Equal(key, item!.Key);
            Assert.Equal(key, Text(item));
        }
    }

    [Fact]
    public async Task TryWriteAsync_CancelledToken_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.TryWriteAsync(NewKey(), Bytes("x"), 0, null, cancelled.Token).AsTask());
    }

    protected static string NewKey() => "ticket#" + Guid.NewGuid().ToString("N");

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(StoredItem item) => Encoding.UTF8.GetString(item.Value.Span);
}
