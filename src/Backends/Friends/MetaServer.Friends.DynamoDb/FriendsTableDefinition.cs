using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace MetaServer.Friends.DynamoDb;

/// <summary>
/// Layout of the friends table, the one place the code describes it (infra/dynamodb.tf declares the same for
/// production; a test fails when the two drift). One item per store key (<see cref="Storage.FriendStoreKeys"/>):
/// partition key <c>pk</c> (S, the store key), no sort key; attributes <c>version</c> (N, the optimistic-concurrency
/// version every write is conditioned on) and <c>value</c> (B, the opaque bytes; left out when empty). No TTL, no
/// secondary index. Billing is on demand (PAY_PER_REQUEST).
/// </summary>
public static class FriendsTableDefinition
{
    /// <summary>Default table name after the deployment-version prefix: <c>&lt;version&gt;-friends</c>.</summary>
    public const string DefaultNameSuffix = "friends";

    public const string PartitionKey = "pk";

    /// <summary>Type of the key attribute: string.</summary>
    public const string KeyAttributeType = "S";

    public const string VersionAttribute = "version";

    public const string ValueAttribute = "value";

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

    /// <summary>The request that creates the table (dev/test; production creates it in infra/).</summary>
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
