using System.Text;
using MetaServer.Friends.Storage;

namespace MetaServer.Friends.Tests.Storage;

/// <summary>What every <see cref="IFriendStore"/> must do. A store's test class inherits this and supplies a fresh, empty store per test.</summary>
public abstract class FriendStoreContract : IAsyncLifetime
{
    private IFriendStore? _store;

    protected IFriendStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    protected abstract Task<IFriendStore> CreateStoreAsync();

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

        Assert.Equal(1, await Store.TryWriteAsync(key, Bytes("first"), 0));

        var item = await Store.GetAsync(key);
        Assert.NotNull(item);
        Assert.Equal((key, 1L, "first"), (item.Key, item.Version, Text(item)));
    }

    [Fact]
    public async Task TryWriteAsync_CreateWhenPresent_ReturnsNullAndKeepsItem()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("first"), 0);

        Assert.Null(await Store.TryWriteAsync(key, Bytes("second"), 0));

        var item = await Store.GetAsync(key);
        Assert.Equal((1L, "first"), (item!.Version, Text(item)));
    }

    [Fact]
    public async Task TryWriteAsync_ExpectedVersionOfAbsentItem_ReturnsNullAndCreatesNothing()
    {
        var key = NewKey();

        Assert.Null(await Store.TryWriteAsync(key, Bytes("x"), 1));
        Assert.Null(await Store.GetAsync(key));
    }

    [Fact]
    public async Task TryWriteAsync_SuccessiveUpdates_IncrementVersion()
    {
        var key = NewKey();
        long? version = 0;
        for (var i = 1; i <= 4; i++)
        {
            version = await Store.TryWriteAsync(key, Bytes($"v{i}"), version!.Value);
            Assert.Equal(i, version);
        }

        var item = await Store.GetAsync(key);
        Assert.Equal((4L, "v4"), (item!.Version, Text(item)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TryWriteAsync_StaleOrFutureVersion_ReturnsNullAndKeepsItem(long expected)
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("a"), 0);
        await Store.TryWriteAsync(key, Bytes("b"), 1);

        Assert.Null(await Store.TryWriteAsync(key, Bytes("c"), expected));

        var item = await Store.GetAsync(key);
        Assert.Equal((2L, "b"), (item!.Version, Text(item)));
    }

    [Fact]
    public async Task TryWriteAsync_EmptyValue_ReadsBackEmpty()
    {
        var key = NewKey();

        Assert.Equal(1, await Store.TryWriteAsync(key, ReadOnlyMemory<byte>.Empty, 0));

        var item = await Store.GetAsync(key);
        Assert.NotNull(item);
        Assert.Equal(0, item.Value.Length);
    }

    [Fact]
    public async Task TryWriteAsync_ConcurrentCreates_ExactlyOneWins()
    {
        var key = NewKey();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Store.TryWriteAsync(key, Bytes($"w{i}"), 0).AsTask()));

        Assert.Single(results, r => r == 1);
        Assert.Equal(7, results.Count(r => r is null));
    }

    [Fact]
    public async Task TryDeleteAsync_RightVersion_DeletesAndKeyCanBeCreatedAgain()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("a"), 0);
        await Store.TryWriteAsync(key, Bytes("b"), 1);

        Assert.True(await Store.TryDeleteAsync(key, 2));

        Assert.Null(await Store.GetAsync(key));
        Assert.Equal(1, await Store.TryWriteAsync(key, Bytes("again"), 0));
    }

    [Fact]
    public async Task TryDeleteAsync_WrongVersionOrAbsent_ReturnsFalseAndKeepsItem()
    {
        var key = NewKey();
        await Store.TryWriteAsync(key, Bytes("a"), 0);

        Assert.False(await Store.TryDeleteAsync(key, 2));
        Assert.False(await Store.TryDeleteAsync(key, 0));
        Assert.False(await Store.TryDeleteAsync(NewKey(), 1));

        Assert.Equal("a", Text((await Store.GetAsync(key))!));
    }

    [Fact]
    public async Task GetManyAsync_SomePresent_ReturnsExactlyThePresentOnes()
    {
        var keys = Enumerable.Range(0, 5).Select(_ => NewKey()).ToArray();
        await Store.TryWriteAsync(keys[0], Bytes("zero"), 0);
        await Store.TryWriteAsync(keys[2], Bytes("two"), 0);
        await Store.TryWriteAsync(keys[2], Bytes("two-b"), 1);
        await Store.TryWriteAsync(keys[4], Bytes("four"), 0);
        await Store.TryDeleteAsync(keys[4], 1);

        var byKey = (await Store.GetManyAsync(keys)).ToDictionary(i => i.Key, StringComparer.Ordinal);

        Assert.Equal(new[] { keys[0], keys[2] }.Order(StringComparer.Ordinal), byKey.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("zero", 1L), (Text(byKey[keys[0]]), byKey[keys[0]].Version));
        Assert.Equal(("two-b", 2L), (Text(byKey[keys[2]]), byKey[keys[2]].Version));
    }

    [Fact]
    public async Task GetManyAsync_NoKeys_ReturnsEmpty()
    {
        Assert.Empty(await Store.GetManyAsync([]));
    }

    [Fact]
    public async Task GetManyAsync_MaxBatchKeys_ReadsThemAll()
    {
        var keys = Enumerable.Range(0, IFriendStore.MaxBatchKeys).Select(_ => NewKey()).ToArray();
        foreach (var key in keys.Where((_, i) => i % 2 == 0))
        {
            await Store.TryWriteAsync(key, Bytes(key), 0);
        }

        var found = await Store.GetManyAsync(keys);

        Assert.Equal(IFriendStore.MaxBatchKeys / 2, found.Count);
        Assert.All(found, i => Assert.Equal(i.Key, Text(i)));
    }

    [Fact]
    public async Task Arguments_BadKeysOrBatches_Throw()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetAsync(new string('k', IFriendStore.MaxKeyBytes + 1)));
        var key = NewKey();
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetManyAsync([key, key]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetManyAsync([.. Enumerable.Range(0, IFriendStore.MaxBatchKeys + 1).Select(_ => NewKey())]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.TryWriteAsync(NewKey(), new byte[IFriendStore.MaxValueBytes + 1], 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.TryWriteAsync(NewKey(), Bytes("x"), -1));
    }

    [Fact]
    public async Task TryWriteAsync_LargeValue_RoundTrips()
    {
        var key = NewKey();
        var value = new byte[200 * 1024];
        Random.Shared.NextBytes(value);

        await Store.TryWriteAsync(key, value, 0);

        Assert.Equal(value, (await Store.GetAsync(key))!.Value.ToArray());
    }

    protected static string NewKey() => "graph#" + Guid.NewGuid().ToString("N");

    protected static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(FriendStoreItem item) => Encoding.UTF8.GetString(item.Value.Span);
}
