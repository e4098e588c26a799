using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace MetaServer.DynamoDb;

/// <summary>
/// Layout of an item-store table (<see cref="DynamoDbItemStore"/>: the matches and payments tables), the one place the
/// code describes it (infra/dynamodb.tf declares the same for production; tests fail when the two drift).
/// <para>
/// One item per store key: partition key <c>pk</c> (S, the store key), no sort
/// key; attributes <c>version</c> (N, the optimistic-concurrency version every write is conditioned on), <c>value</c>
/// (B, the opaque bytes; left out when empty) and, for items that expire, <c>expires_at</c> (N, Unix epoch seconds,
/// the expiry rounded up to a whole second). <c>expires_at</c> is the table's TTL attribute: DynamoDB deletes expired
/// items some time after they expire, and until then the store reads them as absent and overwrites them as if absent.
/// No secondary index. Billing is on demand (PAY_PER_REQUEST).
/// </para>
/// </summary>
public static class ItemTableDefinition
{
    public const string PartitionKey = "pk";

    /// <summary>Type of the key attribute: string.</summary>
    public const string KeyAttributeType = "S";

    public const string VersionAttribute = "version";

    public const string ValueAttribute = "value";

    /// <summary>The TTL attribute: Unix epoch seconds.</summary>
    public const string ExpiresAtAttribute = "expires_at";

    /// <summary>The key attributes in key-schema order: (name, DynamoDB key type, attribute type).</summary>
    public static IReadOnlyList<(string Name, string KeyType, string AttributeType)> KeySchema { get; } =
    [
        (PartitionKey, "HASH", KeyAttributeType),
    ];

    /// <summary>The DynamoDB key of a store key.</summary>
    public static Dictionary<string, AttributeValue> Key(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new(StringComparer.Ordinal) { [PartitionKey] = new AttributeValue { S = key } };
    }

    /// <summary>An expiry as stored in <see cref="ExpiresAtAttribute"/>: epoch seconds, rounded up.</summary>
    public static long ToEpochSeconds(DateTimeOffset expiresAt)
    {
        var ms = expiresAt.ToUnixTimeMilliseconds();
        return ms >= 0 ? (ms + 999) / 1000 : ms / 1000;
    }

    /// <summary>The request that creates the table (dev/test; production creates it, with TTL, in infra/).</summary>
    public static CreateTableRequest CreateTableRequest(string tableName)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        return new CreateTableRequest
        {
            TableName = tableName,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [.. KeySchema.Select(k => new KeySchemaElement(k.Name, new KeyType(k.KeyType)))],
            AttributeDefinitions = [.. KeySchema.Select(k => new AttributeDefinition(k.Name, new ScalarAttributeType(k.AttributeType)))],
        };
    }

    /// <summary>Null when <paramref name="table"/> has this layout's key schema, else a message saying how it differs.</summary>
    public static string? DescribeKeySchemaMismatch(TableDescription table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var expected = string.Join(", ", KeySchema.Select(k => $"{k.Name} {k.KeyType} {k.AttributeType}"));
        var types = (table.AttributeDefinitions ?? []).ToDictionary(a => a.AttributeName, a => a.AttributeType?.Value, StringComparer.Ordinal);
        var actual = string.Join(", ", (table.KeySchema ?? []).Select(k =>
            $"{k.AttributeName} {k.KeyType?.Value} {(types.TryGetValue(k.AttributeName, out var t) ? t : "?")}"));
        return string.Equals(expected, actual, StringComparison.Ordinal)
            ? null
            : $"Table '{table.TableName}' has key schema [{actual}], expected [{expected}].";
    }
}
