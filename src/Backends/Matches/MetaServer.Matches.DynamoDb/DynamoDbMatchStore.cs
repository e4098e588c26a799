using Amazon.DynamoDBv2;
using MetaServer.DynamoDb;
using MetaServer.Matches.Storage;
using Microsoft.Extensions.Logging;

namespace MetaServer.Matches.DynamoDb;

/// <summary>The matches store on its own DynamoDB table: a <see cref="DynamoDbItemStore"/> (layout <see cref="ItemTableDefinition"/>).</summary>
/// <param name="client">The DynamoDB client; not disposed by the store unless <paramref name="ownsClient"/>.</param>
/// <param name="tableName">The matches table.</param>
/// <param name="timeProvider">Clock that decides expiry, and of retry back-off.</param>
/// <param name="logger">Logger.</param>
/// <param name="ownsClient">Whether the store disposes <paramref name="client"/>.</param>
public sealed class DynamoDbMatchStore(
    IAmazonDynamoDB client, string tableName, TimeProvider timeProvider, ILogger<DynamoDbMatchStore> logger, bool ownsClient = false)
    : DynamoDbItemStore(client, tableName, "Matches", DynamoDbMatchStoreOptions.SectionName, timeProvider, logger, ownsClient), IMatchStore;
