using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using T = MetaServer.DynamoDb.ItemTableDefinition;

namespace MetaServer.DynamoDb;

/// <summary>
/// <see cref="IItemStore"/> on one DynamoDB table (layout: <see cref="ItemTableDefinition"/>), with single-item
/// conditional writes only (no transactions, no TTL administration, so dynalite works too):
/// <list type="bullet">
/// <item><description>
/// <see cref="TryWriteAsync"/> puts the whole item on condition <c>attribute_not_exists(pk) OR expires_at &lt;= now</c>
/// for expected version 0, else <c>version = expected AND (no expires_at OR expires_at &gt; now)</c>; a failed
/// condition is a conflict (null), nothing is overwritten. <see cref="TryDeleteAsync"/> deletes on the second condition.
/// </description></item>
/// <item><description>
/// Expiry is kept in whole epoch seconds (rounded up), so <see cref="StoredItem.ExpiresAt"/> reads back rounded up to
/// the second. "now" is the store's <see cref="TimeProvider"/>: reads drop items with <c>expires_at &lt;= now</c> (DynamoDB's
/// TTL deletes them later, in its own time) and conditions compare with the same clock.
/// </description></item>
/// <item><description>
/// Every read is strongly consistent (reads feed read-modify-write cycles). <see cref="GetManyAsync"/> uses one
/// BatchGetItem and retries unprocessed keys with exponential back-off and jitter.
/// </description></item>
/// </list>
/// Throttling and transient errors are retried by the SDK client; what still fails propagates. The client is not owned
/// unless the store created it.
/// </summary>
public partial class DynamoDbItemStore : IItemStore, IDisposable
{
    /// <summary>Rounds in a row without any item returned before <see cref="GetManyAsync"/> gives up on unprocessed keys.</summary>
    public const int MaxUnprocessedRetries = 10;

    // Attribute names go through placeholders (DynamoDB reserves many words).
    private const string AbsentOrExpiredCondition = "attribute_not_exists(#pk) OR #exp <= :now";
    private const string LiveVersionCondition = "#ver = :expected AND (attribute_not_exists(#exp) OR #exp > :now)";

    private static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(2);

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _storeName;
    private readonly string _optionsSection;

    /// <param name="client">The DynamoDB client; not disposed by the store unless <paramref name="ownsClient"/>.</param>
    /// <param name="tableName">The table.</param>
    /// <param name="storeName">The owning service's name for the store, in log lines and errors (e.g. "Matches").</param>
    /// <param name="optionsSection">The configuration section of the table's options, named in start-up errors.</param>
    /// <param name="timeProvider">Clock that decides expiry, and of retry back-off.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="ownsClient">Whether <see cref="Dispose"/> disposes <paramref name="client"/>.</param>
    public DynamoDbItemStore(
        IAmazonDynamoDB client, string tableName, string storeName, string optionsSection, TimeProvider timeProvider, ILogger logger, bool ownsClient = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        ArgumentException.ThrowIfNullOrWhiteSpace(optionsSection);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (!DynamoDbNames.IsValidTableName(tableName))
        {
            throw new ArgumentException($"'{tableName}' is not a valid DynamoDB table name.", nameof(tableName));
        }

        _client = client;
        _ownsClient = ownsClient;
        TableName = tableName;
        _timeProvider = timeProvider;
        _logger = logger;
        _storeName = storeName;
        _optionsSection = optionsSection;
    }

    public string TableName { get; }

    /// <summary>
    /// Checks that the table exists, is active and has the key schema of <see cref="ItemTableDefinition"/>; creates it
    /// first when it is missing and <paramref name="createIfMissing"/>. Throws when it is missing (and not to be
    /// created), never becomes active, or has another key schema.
    /// </summary>
    public async Task InitializeAsync(bool createIfMissing, CancellationToken cancellationToken)
    {
        var created = await DynamoDbTableSetup.EnsureReadyAsync(
            _client, TableName, T.CreateTableRequest, T.DescribeKeySchemaMismatch, createIfMissing, _optionsSection, _timeProvider, cancellationToken);
        if (created)
        {
            LogTableCreated(_storeName, TableName);
        }

        LogTableReady(_storeName, TableName);
    }

    public async ValueTask<StoredItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKey(key);
        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = TableName, Key = T.Key(key), ConsistentRead = true },
            cancellationToken);
        return response.Item is { Count: > 0 } item ? LiveOrNull(ReadItem(item)) : null;
    }

    public async ValueTask<IReadOnlyList<StoredItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKeys(keys);
        var found = new List<StoredItem>(keys.Count);
        if (keys.Count == 0)
        {
            return found;
        }

        var pending = keys.Select(T.Key).ToList();
        var idleRounds = 0;
        var retryRound = 0;
        while (true)
        {
            var response = await _client.BatchGetItemAsync(
                new BatchGetItemRequest
                {
                    RequestItems = new Dictionary<string, KeysAndAttributes>(StringComparer.Ordinal)
                    {
                        [TableName] = new KeysAndAttributes { Keys = pending, ConsistentRead = true },
                    },
                },
                cancellationToken);

            var items = response.Responses is not null && response.Responses.TryGetValue(TableName, out var list) ? list : null;
            foreach (var item in items ?? [])
            {
                if (LiveOrNull(ReadItem(item)) is { } live)
                {
                    found.Add(live);
                }
            }

            var unprocessed = response.UnprocessedKeys is not null && response.UnprocessedKeys.TryGetValue(TableName, out var rest) ? rest.Keys : null;
            if (unprocessed is null || unprocessed.Count == 0)
            {
                return found;
            }

            // Unprocessed keys: throttled or over the response size limit. Back off (reset after progress) and ask again.
            idleRounds = items is { Count: > 0 } ? 0 : idleRounds + 1;
            if (idleRounds > MaxUnprocessedRetries)
            {
                throw new ProvisionedThroughputExceededException(
                    $"DynamoDB table '{TableName}': {unprocessed.Count} keys stayed unprocessed after {MaxUnprocessedRetries} retries.");
            }

            retryRound = idleRounds == 0 ? 0 : retryRound + 1;
            var delay = BackoffDelay(retryRound);
            LogUnprocessedKeys(_storeName, unprocessed.Count, delay.TotalMilliseconds);
            await Task.Delay(delay, _timeProvider, cancellationToken);
            pending = unprocessed;
        }
    }

    public async ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateWrite(key, value, expectedVersion);
        var newVersion = checked(expectedVersion + 1);
        var item = T.Key(key);
        item[T.VersionAttribute] = Number(newVersion);
        if (!value.IsEmpty)
        {
            item[T.ValueAttribute] = new AttributeValue { B = new MemoryStream(value.ToArray(), writable: false) };
        }

        if (expiresAt is { } at)
        {
            item[T.ExpiresAtAttribute] = Number(T.ToEpochSeconds(at));
        }

        var values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [":now"] = Number(NowSeconds()) };
        if (expectedVersion > 0)
        {
            values[":expected"] = Number(expectedVersion);
        }

        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = TableName,
                    Item = item,
                    ConditionExpression = expectedVersion == 0 ? AbsentOrExpiredCondition : LiveVersionCondition,
                    ExpressionAttributeNames = expectedVersion == 0 ? AbsentOrExpiredNames() : LiveVersionNames(),
                    ExpressionAttributeValues = values,
                },
                cancellationToken);
            return newVersion;
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    public async ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ItemStoreArguments.ValidateKey(key);
        if (expectedVersion <= 0)
        {
            // No stored item has version 0 or less: an absent item cannot be deleted.
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }

        try
        {
            await _client.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = TableName,
                    Key = T.Key(key),
                    ConditionExpression = LiveVersionCondition,
                    ExpressionAttributeNames = LiveVersionNames(),
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
                    {
                        [":expected"] = Number(expectedVersion),
                        [":now"] = Number(NowSeconds()),
                    },
                },
                cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <summary>Exponential back-off with full jitter: a random delay up to min(max, base * 2^round).</summary>
    internal static TimeSpan BackoffDelay(int round)
    {
        var ceiling = Math.Min(RetryMaxDelay.TotalMilliseconds, RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(round, 16)));
        return TimeSpan.FromMilliseconds(Math.Max(1, ceiling * Random.Shared.NextDouble()));
    }

    /// <summary>Whole seconds of now, rounded down: <c>expires_at &lt;= floor(now)</c> exactly when the expiry has passed.</summary>
    private long NowSeconds() => _timeProvider.GetUtcNow().ToUnixTimeSeconds();

    private StoredItem? LiveOrNull(StoredItem item) =>
        item.ExpiresAt is { } at && at <= _timeProvider.GetUtcNow() ? null : item;

    private StoredItem ReadItem(Dictionary<string, AttributeValue> item)
    {
        var key = item.TryGetValue(T.PartitionKey, out var pk) && !string.IsNullOrEmpty(pk.S) ? pk.S : throw Malformed(T.PartitionKey);
        var version = item.TryGetValue(T.VersionAttribute, out var v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw Malformed(T.VersionAttribute);
        byte[] value = item.TryGetValue(T.ValueAttribute, out var b) && b.B is not null ? b.B.ToArray() : [];
        DateTimeOffset? expiresAt = null;
        if (item.TryGetValue(T.ExpiresAtAttribute, out var e))
        {
            expiresAt = long.TryParse(e.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : throw Malformed(T.ExpiresAtAttribute);
        }

        return new StoredItem(key, value, version, expiresAt);
    }

    private InvalidDataException Malformed(string attribute) =>
        new($"DynamoDB table '{TableName}': a {_storeName} store item has no valid '{attribute}' attribute.");

    private static Dictionary<string, string> AbsentOrExpiredNames() =>
        new(StringComparer.Ordinal) { ["#pk"] = T.PartitionKey, ["#exp"] = T.ExpiresAtAttribute };

    private static Dictionary<string, string> LiveVersionNames() =>
        new(StringComparer.Ordinal) { ["#ver"] = T.VersionAttribute, ["#exp"] = T.ExpiresAtAttribute };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    [LoggerMessage(Level = LogLevel.Information, Message = "{Store}: created DynamoDB table {TableName}")]
    private partial void LogTableCreated(string store, string tableName);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Store}: DynamoDB table {TableName} is active with the expected key schema")]
    private partial void LogTableReady(string store, string tableName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Store}: {Count} keys unprocessed by BatchGetItem; retrying in {DelayMs:F0} ms")]
    private partial void LogUnprocessedKeys(string store, int count, double delayMs);
}
