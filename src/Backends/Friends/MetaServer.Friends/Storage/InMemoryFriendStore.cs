namespace MetaServer.Friends.Storage;

/// <summary>
/// <see cref="IFriendStore"/> in process memory: for tests and tools. Nothing survives the process; the embedded host
/// uses the SQLite store. Thread-safe.
/// </summary>
public sealed class InMemoryFriendStore : IFriendStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FriendStoreItem> _items = new(StringComparer.Ordinal);

    public ValueTask<FriendStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_items.GetValueOrDefault(key));
        }
    }

    public ValueTask<IReadOnlyList<FriendStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKeys(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<FriendStoreItem> found = [.. keys.Select(_items.GetValueOrDefault).OfType<FriendStoreItem>()];
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateWrite(key, value, expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = _items.GetValueOrDefault(key)?.Version ?? 0;
            if (current != expectedVersion)
            {
                return ValueTask.FromResult<long?>(null);
            }

            var version = expectedVersion + 1;
            _items[key] = new FriendStoreItem(key, value.ToArray(), version);
            return ValueTask.FromResult<long?>(version);
        }
    }

    public ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_items.TryGetValue(key, out var current) || current.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _items.Remove(key);
            return ValueTask.FromResult(true);
        }
    }
}
