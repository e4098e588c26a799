using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using MetaServer.DynamoDb;
using MetaServer.Friends.Storage;
using Microsoft.Extensions.Logging;
using T = MetaServer.Friends.DynamoDb.FriendsTableDefinition;

namespace MetaServer.Friends.DynamoDb;

/// <summary>
/// <see cref="IFriendStore"/> on one DynamoDB table (layout: <see cref="FriendsTableDefinition"/>), with single-item
/// conditional writes only (no transactions, so dynalite works too): <see cref="TryWriteAsync"/> puts the whole item on
/// condition <c>attribute_not_exists(pk)</c> for expected version 0, else <c>version = expected</c>; a failed condition is
/// a conflict (null) and nothing is overwritten. <see cref="TryDeleteAsync"/> deletes on <c>version = expected</c>. Every
/// read is strongly consistent (reads feed read-modify-write cycles); <see cref="GetManyAsync"/> uses one BatchGetItem
/// and retries unprocessed keys with exponential back-off and jitter. Throttling and transient errors are retried by the
/// SDK client; what still fails propagates. The client is not owned unless the store created it.
/// </summary>
public sealed partial class DynamoDbFriendStore : IFriendStore, IDisposable
{
    /// <summary>Rounds in a row without any item returned before <see cref="GetManyAsync"/> gives up on unprocessed keys.</summary>
    public const int MaxUnprocessedRetries = 10;

    private const string AbsentCondition = "attribute_not_exists(#pk)";
    private const string VersionCondition = "#ver = :expected";

    private static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(2);

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DynamoDbFriendStore> _logger;

    /// <param name="client">The DynamoDB client; not disposed by the store unless <paramref name="ownsClient"/>.</param>
    /// <param name="tableName">The friends table.</param>
    /// <param name="timeProvider">Clock of retry back-off and of the start-up wait.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="ownsClient">Whether <see cref="Dispose"/> disposes <paramref name="client"/>.</param>
    public DynamoDbFriendStore(IAmazonDynamoDB client, string tableName, TimeProvider timeProvider, ILogger<DynamoDbFriendStore> logger, bool ownsClient = false)
    {
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
    }

    public string TableName { get; }

    /// <summary>
    /// Checks that the table exists, is active and has the key schema of <see cref="FriendsTableDefinition"/>; creates it
    /// first when it is missing and <paramref name="createIfMissing"/>.
    /// </summary>
    public async Task InitializeAsync(bool createIfMissing, CancellationToken cancellationToken)
    {
        var created = await DynamoDbTableSetup.EnsureReadyAsync(
            _client, TableName, T.CreateTableRequest, T.DescribeKeySchemaMismatch, createIfMissing, DynamoDbFriendStoreOptions.SectionName, _timeProvider, cancellationToken);
        if (created)
        {
            LogTableCreated(TableName);
        }

        LogTableReady(TableName);
    }

    public async ValueTask<FriendStoreItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKey(key);
        var response = await _client.GetItemAsync(new GetItemRequest { TableName = TableName, Key = T.Key(key), ConsistentRead = true }, cancellationToken);
        return response.Item is { Count: > 0 } item ? ReadItem(item) : null;
    }

    public async ValueTask<IReadOnlyList<FriendStoreItem>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKeys(keys);
        var found = new List<FriendStoreItem>(keys.Count);
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
            found.AddRange((items ?? []).Select(ReadItem));
            var unprocessed = response.UnprocessedKeys is not null && response.UnprocessedKeys.TryGetValue(TableName, out var rest) ? rest.Keys : null;
            if (unprocessed is null || unprocessed.Count == 0)
            {
                return found;
            }

            idleRounds = items is { Count: > 0 } ? 0 : idleRounds + 1;
            if (idleRounds > MaxUnprocessedRetries)
            {
                throw new ProvisionedThroughputExceededException(
                    $"DynamoDB table '{TableName}': {unprocessed.Count} keys stayed unprocessed after {MaxUnprocessedRetries} retries.");
            }

            retryRound = idleRounds == 0 ? 0 : retryRound + 1;
            var delay = BackoffDelay(retryRound);
            LogUnprocessedKeys(unprocessed.Count, delay.TotalMilliseconds);
            await Task.Delay(delay, _timeProvider, cancellationToken);
            pending = unprocessed;
        }
    }

    public async ValueTask<long?> TryWriteAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateWrite(key, value, expectedVersion);
        var newVersion = checked(expectedVersion + 1);
        var item = T.Key(key);
        item[T.VersionAttribute] = Number(newVersion);
        if (!value.IsEmpty)
        {
            item[T.ValueAttribute] = new AttributeValue { B = new MemoryStream(value.ToArray(), writable: false) };
        }

        var request = new PutItemRequest { TableName = TableName, Item = item };
        if (expectedVersion == 0)
        {
            request.ConditionExpression = AbsentCondition;
            request.ExpressionAttributeNames = new Dictionary<string, string>(StringComparer.Ordinal) { ["#pk"] = T.PartitionKey };
        }
        else
        {
            request.ConditionExpression = VersionCondition;
            request.ExpressionAttributeNames = new Dictionary<string, string>(StringComparer.Ordinal) { ["#ver"] = T.VersionAttribute };
            request.ExpressionAttributeValues = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [":expected"] = Number(expectedVersion) };
        }

        try
        {
            await _client.PutItemAsync(request, cancellationToken);
            return newVersion;
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    public async ValueTask<bool> TryDeleteAsync(string key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        FriendStoreArguments.ValidateKey(key);
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
                    ConditionExpression = VersionCondition,
                    ExpressionAttributeNames = new Dictionary<string, string>(StringComparer.Ordinal) { ["#ver"] = T.VersionAttribute },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [":expected"] = Number(expectedVersion) },
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

    private FriendStoreItem ReadItem(Dictionary<string, AttributeValue> item)
    {
        var key = item.TryGetValue(T.PartitionKey, out var pk) && !string.IsNullOrEmpty(pk.S) ? pk.S : throw Malformed(T.PartitionKey);
        var version = item.TryGetValue(T.VersionAttribute, out var v) && long.TryParse(v.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw Malformed(T.VersionAttribute);
        byte[] value = item.TryGetValue(T.ValueAttribute, out var b) && b.B is not null ? b.B.ToArray() : [];
        return new FriendStoreItem(key, value, version);
    }

    private InvalidDataException Malformed(string attribute) =>
        new($"DynamoDB table '{TableName}': a friend store item has no valid '{attribute}' attribute.");

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    [LoggerMessage(Level = LogLevel.Information, Message = "Friends: created DynamoDB table {TableName}")]
    private partial void LogTableCreated(string tableName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Friends: DynamoDB table {TableName} is active with the expected key schema")]
    private partial void LogTableReady(string tableName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Friends: {Count} keys unprocessed by BatchGetItem; retrying in {DelayMs:F0} ms")]
    private partial void LogUnprocessedKeys(int count, double delayMs);
}
