using Amazon.DynamoDBv2;
using MetaServer.DynamoDb;
using MetaServer.Payments.Storage;
using Microsoft.Extensions.Logging;

namespace MetaServer.Payments.DynamoDb;

/// <summary>The payments store on its own DynamoDB table: a <see cref="DynamoDbItemStore"/> (layout <see cref="ItemTableDefinition"/>).</summary>
/// <param name="client">The DynamoDB client; not disposed by the store unless <paramref name="ownsClient"/>.</param>
/// <param name="tableName">The payments table.</param>
/// <param name="timeProvider">Clock that decides expiry, and of retry back-off.</param>
/// <param name="logger">Logger.</param>
/// <param name="ownsClient">Whether the store disposes <paramref name="client"/>.</param>
public sealed class DynamoDbPaymentStore(
    IAmazonDynamoDB client, string tableName, TimeProvider timeProvider, ILogger<DynamoDbPaymentStore> logger, bool ownsClient = false)
    : DynamoDbItemStore(client, tableName, "Payments", DynamoDbPaymentStoreOptions.SectionName, timeProvider, logger, ownsClient), IPaymentStore;
