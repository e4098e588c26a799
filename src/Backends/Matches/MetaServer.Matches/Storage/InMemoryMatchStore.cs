namespace MetaServer.Matches.Storage;

/// <summary>
/// <see cref="IMatchStore"/> in process memory: for tests and tools. Nothing survives the process; the embedded host
/// uses the SQLite store. Expiry follows the given <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
public sealed class InMemoryMatchStore(TimeProvider timeProvider) : IMatchStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MatchStoreItem> _items = new(StringComparer.Ordinal);

    public ValueTask<MatchStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        MatchStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(Live(key));
        }
    }

    public ValueTask<IReadOnlyList<MatchStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        MatchStoreArguments.ValidateKeys(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<MatchStoreItem> found = [.. keys.Select(Live).OfType<MatchStoreItem>()];
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        MatchStoreArguments.ValidateWrite(key, value, expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = Live(key)?.Version ?? 0;
            if (current != expectedVersion)
            {
                return ValueTask.FromResult<long?>(null);
            }

            var version = expectedVersion + 1;
            _items[key] = new MatchStoreItem(key, value.ToArray(), version, expiresAt);
            return ValueTask.FromResult<long?>(version);
        }
    }

    public ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        MatchStoreArguments.ValidateKey(key);
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

    private MatchStoreItem? Live(string key)
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
