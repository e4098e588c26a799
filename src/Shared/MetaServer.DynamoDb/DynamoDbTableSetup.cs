using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace MetaServer.DynamoDb;

/// <summary>The start-up check every DynamoDB store makes of its table.</summary>
public static class DynamoDbTableSetup
{
    private static readonly TimeSpan TableActiveTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan TableActivePollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Checks that the table exists, is active and has the expected key schema; creates it first when it is missing
    /// and <paramref name="createIfMissing"/>. Throws when it is missing (and not to be created), never becomes active,
    /// or has another key schema. Returns whether this call created the table.
    /// </summary>
    /// <param name="client">DynamoDB client.</param>
    /// <param name="tableName">The table.</param>
    /// <param name="createTableRequest">The table's definition, used when it is created.</param>
    /// <param name="describeKeySchemaMismatch">A message when an existing table's key schema is not the expected one, else null.</param>
    /// <param name="createIfMissing">Create a missing table (dev/test).</param>
    /// <param name="optionsSection">Configuration section named in the "does not exist" message.</param>
    /// <param name="timeProvider">Clock of the wait until the table is active.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<bool> EnsureReadyAsync(
        IAmazonDynamoDB client,
        string tableName,
        Func<string, CreateTableRequest> createTableRequest,
        Func<TableDescription, string?> describeKeySchemaMismatch,
        bool createIfMissing,
        string optionsSection,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(createTableRequest);
        ArgumentNullException.ThrowIfNull(describeKeySchemaMismatch);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var created = false;
        var table = await DescribeOrNullAsync(client, tableName, cancellationToken).ConfigureAwait(false);
        if (table is null)
        {
            if (!createIfMissing)
            {
                throw new InvalidOperationException(
                    $"DynamoDB table '{tableName}' does not exist. Create it with infra/ (or set {optionsSection}:CreateTableIfMissing=true for dev/test).");
            }

            try
            {
                await client.CreateTableAsync(createTableRequest(tableName), cancellationToken).ConfigureAwait(false);
                created = true;
            }
            catch (ResourceInUseException)
            {
                // Another process created it at the same time.
            }

            table = await DescribeOrNullAsync(client, tableName, cancellationToken).ConfigureAwait(false);
        }

        var deadline = timeProvider.GetUtcNow() + TableActiveTimeout;
        while (table is null || table.TableStatus != TableStatus.ACTIVE)
        {
            if (timeProvider.GetUtcNow() >= deadline)
            {
                throw new InvalidOperationException($"DynamoDB table '{tableName}' is not active after {TableActiveTimeout} (status {table?.TableStatus?.Value ?? "missing"}).");
            }

            await Task.Delay(TableActivePollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
            table = await DescribeOrNullAsync(client, tableName, cancellationToken).ConfigureAwait(false);
        }

        var mismatch = describeKeySchemaMismatch(table);
        if (mismatch is not null)
        {
            throw new InvalidOperationException(mismatch);
        }

        return created;
    }

    private static async Task<TableDescription?> DescribeOrNullAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, cancellationToken).ConfigureAwait(false)).Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }
}
