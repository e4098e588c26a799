namespace MetaServer.Payments.Storage;

/// <summary>
/// <see cref="IPaymentStore"/> in process memory: for tests and tools. Nothing survives the process; the embedded host
/// uses the SQLite store. Expiry follows the given <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
public sealed class InMemoryPaymentStore(TimeProvider timeProvider) : IPaymentStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PaymentStoreItem> _items = new(StringComparer.Ordinal);

    public ValueTask<PaymentStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        PaymentStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(Live(key));
        }
    }

    public ValueTask<IReadOnlyList<PaymentStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        PaymentStoreArguments.ValidateKeys(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<PaymentStoreItem> found = [.. keys.Select(Live).OfType<PaymentStoreItem>()];
            return ValueTask.FromResult(found);
        }
    }

    public ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        PaymentStoreArguments.ValidateWrite(key, value, expectedVersion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var current = Live(key)?.Version ?? 0;
            if (current != expectedVersion)
            {
                return ValueTask.FromResult<long?>(null);
            }

            var version = expectedVersion + 1;
            _items[key] = new PaymentStoreItem(key, value.ToArray(), version, expiresAt);
            return ValueTask.FromResult<long?>(version);
        }
    }

    public ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        PaymentStoreArguments.ValidateKey(key);
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

    private PaymentStoreItem? Live(string key)
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
