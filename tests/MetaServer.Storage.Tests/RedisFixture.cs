using MetaServer.Storage.Redis;
using MetaServer.Testing;
using StackExchange.Redis;

namespace MetaServer.Storage.Tests;

/// <summary>One redis-server stand-in for the Redis test classes, with expiry notifications switched on.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private const string ExpiredChannel = "__keyevent@0__:expired";

    private StandIn? _redis;
    private ConnectionMultiplexer? _multiplexer;

    public IConnectionMultiplexer Multiplexer => _multiplexer ?? throw new InvalidOperationException("Not started.");

    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>Connection string of the stand-in, with timeouts generous enough for a busy test machine.</summary>
    public string Configuration => $"{_redis!.HostAndPort},connectTimeout=15000,syncTimeout=15000";

    public static TimeSpan OperationTimeout => TimeSpan.FromSeconds(10);

    public async Task InitializeAsync()
    {
        _redis = await StandIn.StartRedisAsync();
        // Generous timeouts: the test machine is shared and may be busy.
        _multiplexer = await ConnectionMultiplexer.ConnectAsync($"{Configuration},allowAdmin=true");
        // Expiry is then a signal (a keyspace event) the tests can wait on instead of sleeping.
        await _multiplexer.GetServer(_redis.HostAndPort).ConfigSetAsync("notify-keyspace-events", "Ex");
    }

    public async Task DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.CloseAsync();
            _multiplexer.Dispose();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>Keys of a fresh, unused prefix: every test gets its own key space.</summary>
    public static RedisKeys NewKeys() => new("test-" + Guid.NewGuid().ToString("N")[..12], "v1");

    /// <summary>Remaining time to live of a key (PTTL), or null when the key does not exist or has none.</summary>
    public async Task<TimeSpan?> PttlAsync(RedisKey key)
    {
        var ms = (long)await Database.ScriptEvaluateAsync("return redis.call('PTTL', KEYS[1])", [key]);
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>Sets the key's remaining time to live (PEXPIRE).</summary>
    public Task PexpireAsync(RedisKey key, TimeSpan remaining) =>
        Database.ScriptEvaluateAsync("return redis.call('PEXPIRE', KEYS[1], ARGV[1])", [key], [(long)remaining.TotalMilliseconds]);

    /// <summary>Waits for Redis to expire the key, on its keyspace "expired" event (no polling, no sleeping).</summary>
    public async Task WaitForExpiryAsync(RedisKey key)
    {
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var name = (string)key!;
        void OnExpired(RedisChannel channel, RedisValue value)
        {
            if ((string)value! == name)
            {
                expired.TrySetResult();
            }
        }

        var subscriber = Multiplexer.GetSubscriber();
        await subscriber.SubscribeAsync(ExpiredChannel, OnExpired);
        try
        {
            // Subscribed first, so an expiry after this check is seen; a key already gone has expired.
            if (await Database.KeyExistsAsync(key))
            {
                await expired.Task.WithTimeout($"Redis to expire {name}");
            }
        }
        finally
        {
            await subscriber.UnsubscribeAsync(ExpiredChannel, OnExpired);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "Redis";
}
