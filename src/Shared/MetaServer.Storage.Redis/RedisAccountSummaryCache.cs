using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace MetaServer.Storage.Redis;

/// <summary>
/// <see cref="IAccountSummaryCache"/> on Redis strings: one key per account holding <c>{revision}|{json}</c>, written
/// with a time to live (PX). A batch read is one MGET. A write is a Lua script that keeps a cached summary of a
/// higher revision, so concurrent writers never step back in time (no WATCH/MULTI round trips).
/// MGET needs every key on one node: on Redis Cluster give the keys a hash tag, or split the batch per slot.
/// </summary>
public sealed class RedisAccountSummaryCache : IAccountSummaryCache
{
    private const string SetScript = """
        local current = redis.call('GET', KEYS[1])
        if current then
          local bar = string.find(current, '|', 1, true)
          if bar and tonumber(string.sub(current, 1, bar - 1)) > tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    private readonly IDatabase _database;
    private readonly RedisKeys _keys;
    private readonly TimeSpan _timeout;

    public RedisAccountSummaryCache(IDatabase database, RedisKeys keys, TimeSpan timeToLive, TimeSpan operationTimeout)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeToLive, TimeSpan.FromMilliseconds(1));
        _database = database;
        _keys = keys;
        TimeToLive = timeToLive;
        _timeout = operationTimeout;
    }

    public TimeSpan TimeToLive { get; }

    public async ValueTask<IReadOnlyDictionary<string, AccountSummary>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default)
    {
        AccountSummaryArguments.ValidateBatch(accountIds);
        var found = new Dictionary<string, AccountSummary>(StringComparer.Ordinal);
        if (accountIds.Count == 0)
        {
            return found;
        }

        var ids = accountIds.ToArray();
        var keys = Array.ConvertAll(ids, _keys.AccountSummary);
        var values = await _database.StringGetAsync(keys).Bounded(_timeout, cancellationToken);
        for (var i = 0; i < ids.Length; i++)
        {
            if (Decode(values[i]) is { } summary)
            {
                found[ids[i]] = summary;
            }
        }

        return found;
    }

    public async ValueTask<AccountSummary?> GetAsync(string accountId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(accountId, nameof(accountId));
        return Decode(await _database.StringGetAsync(_keys.AccountSummary(accountId)).Bounded(_timeout, cancellationToken));
    }

    public async ValueTask<bool> SetAsync(AccountSummary summary, CancellationToken cancellationToken = default)
    {
        AccountSummaryArguments.Validate(summary);
        var value = summary.Revision.ToString(CultureInfo.InvariantCulture) + "|" + JsonSerializer.Serialize(summary, SummaryJson.Default.AccountSummary);
        var written = await _database.ScriptEvaluateAsync(
            SetScript,
            [_keys.AccountSummary(summary.AccountId)],
            [value, summary.Revision, (long)Math.Ceiling(TimeToLive.TotalMilliseconds)]).Bounded(_timeout, cancellationToken);
        return (long)written == 1;
    }

    public async ValueTask RemoveAsync(string accountId, CancellationToken cancellationToken = default)
    {
        StorageIds.Validate(accountId, nameof(accountId));
        await _database.KeyDeleteAsync(_keys.AccountSummary(accountId)).Bounded(_timeout, cancellationToken);
    }

    /// <summary>A summary from its stored form; null for a miss or a value this build cannot read (treated as a miss).</summary>
    private static AccountSummary? Decode(RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        var text = (string)value!;
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text.AsSpan(bar + 1), SummaryJson.Default.AccountSummary);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountSummary))]
internal sealed partial class SummaryJson : JsonSerializerContext;
