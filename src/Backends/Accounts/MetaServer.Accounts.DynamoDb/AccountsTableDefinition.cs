using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace MetaServer.Accounts.DynamoDb;

/// <summary>
/// Layout of the accounts table, the one place the code describes it (infra/dynamodb.tf declares the same keys for
/// production; a test fails when the two drift).
/// <para>
/// One table, generic string keys <c>pk</c> (partition) and <c>sk</c> (sort), so further per-account item kinds can
/// join later without a new table. Two item kinds today:
/// </para>
/// <list type="bullet">
/// <item><description>
/// account: <c>pk = "account#" + account id</c>, <c>sk = "account"</c>; attributes <c>accountId</c> (S),
/// <c>revision</c> (N, the optimistic-concurrency version every update is conditioned on), <c>schemaVersion</c> (N) and
/// <c>document</c> (S, the JSON of <see cref="Domain.AccountDocumentSerializer"/>).
/// </description></item>
/// <item><description>
/// device claim: <c>pk = "device#" + device id</c>, <c>sk = "device"</c>; attributes <c>accountId</c> (S, the account
/// the device belongs to) and <c>claimedAt</c> (S, ISO 8601). Written only if absent (or to take over a stale dangling claim):
/// it is what makes concurrent first logins of one device agree on one account id.
/// </description></item>
/// <item><description>
/// identity claim: the same for other identities, <c>pk = kind + "#" + id</c>, <c>sk = kind</c> with kind
/// <c>custom</c>, <c>apple</c> or <c>google</c> (a device claim is the identity claim of kind <c>device</c>). Unlike the
/// first device claim these can be released (unlink: deleted only if still this account's) and a stale dangling
/// claim can be taken over (conditioned on its unchanged <c>accountId</c> and <c>claimedAt</c>).
/// </description></item>
/// </list>
/// Every item is a partition of its own, so load spreads evenly and no write touches two items at once; no
/// secondary index, no TTL. Billing is on demand (PAY_PER_REQUEST).
/// </summary>
public static class AccountsTableDefinition
{
    /// <summary>Default table name after the deployment-version prefix: <c>&lt;version&gt;-accounts</c>.</summary>
    public const string DefaultNameSuffix = "accounts";

    public const string PartitionKey = "pk";

    public const string SortKey = "sk";

    /// <summary>Type of both key attributes: string.</summary>
    public const string KeyAttributeType = "S";

    public const string AccountKeyPrefix = "account#";

    public const string AccountSortKey = "account";

    public const string DeviceKeyPrefix = "device#";

    public const string DeviceSortKey = "device";

    public const string AccountIdAttribute = "accountId";

    public const string RevisionAttribute = "revision";

    public const string SchemaVersionAttribute = "schemaVersion";

    public const string DocumentAttribute = "document";

    public const string ClaimedAtAttribute = "claimedAt";

    /// <summary>The key attributes in key-schema order: (name, DynamoDB key type, attribute type).</summary>
    public static IReadOnlyList<(string Name, string KeyType, string AttributeType)> KeySchema { get; } =
    [
        (PartitionKey, "HASH", KeyAttributeType),
        (SortKey, "RANGE", KeyAttributeType),
    ];

    /// <summary>The key of an account item.</summary>
    public static Dictionary<string, AttributeValue> AccountKey(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return new(StringComparer.Ordinal)
        {
            [PartitionKey] = new AttributeValue { S = AccountKeyPrefix + accountId },
            [SortKey] = new AttributeValue { S = AccountSortKey },
        };
    }

    /// <summary>The key of a device claim item.</summary>
    public static Dictionary<string, AttributeValue> DeviceKey(string deviceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        return new(StringComparer.Ordinal)
        {
            [PartitionKey] = new AttributeValue { S = DeviceKeyPrefix + deviceId },
            [SortKey] = new AttributeValue { S = DeviceSortKey },
        };
    }

    /// <summary>The key of an identity claim item (<c>device#</c> for devices, like <see cref="DeviceKey"/>).</summary>
    public static Dictionary<string, AttributeValue> IdentityKey(Domain.LinkedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentException.ThrowIfNullOrEmpty(identity.Id, nameof(identity));
        var kind = identity.KindName;
        return new(StringComparer.Ordinal)
        {
            [PartitionKey] = new AttributeValue { S = kind + "#" + identity.Id },
            [SortKey] = new AttributeValue { S = kind },
        };
    }

    /// <summary>The request that creates the table (dev/test; production creates it with infra/).</summary>
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
