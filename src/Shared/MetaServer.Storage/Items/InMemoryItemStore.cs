namespace MetaServer.Storage;

/// <summary>
/// <see cref="IItemStore"/> in process memory: for tests and tools. Nothing survives the process; the embedded hosts
/// use the SQLite stores. Expiry follows the given <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
public class InMemoryItemStore(TimeProvider timeProvider) : IItemStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredItem> _items = new(StringComparer.Ordinal);

    public ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(Live(key));
        }
    }

    public ValueTask<IReadOnlyList<StoredItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKeys(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<StoredItem> found = [.. keys.Select(Live).OfType<StoredItem>()];
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateWrite(key, value, expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = Live(key)?.Version ?? 0;
            if (current != expectedVersion)
            {
                return ValueTask.FromResult<long?>(null);
            }

            var version = expectedVersion + 1;
            _items[key] = new StoredItem(key, value.ToArray(), version, expiresAt);
            return ValueTask.FromResult<long?>(version);
        }
    }

    public ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = Live(key);
            if (current is null || current.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _items.Remove(key);
            return ValueTask.FromResult(true);
        }
    }

    private StoredItem? Live(string key)
    {
        if (!_items.TryGetValue(key, out var item))
        {
            return null;
        }

        if (item.ExpiresAt is { } expiresAt && expiresAt <= timeProvider.GetUtcNow())
        {
            _items.Remove(key);
            return null;
        }

        return item;
    }
}
