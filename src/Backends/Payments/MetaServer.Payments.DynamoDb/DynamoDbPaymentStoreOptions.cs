using MetaServer.DynamoDb;

namespace MetaServer.Payments.DynamoDb;

/// <summary>Settings of the DynamoDB payment store. Bound from <c>MetaServer:Payments:DynamoDb</c>, validated at start.</summary>
public sealed class DynamoDbPaymentStoreOptions : DynamoDbTableOptions
{
    public const string SectionName = "MetaServer:Payments:DynamoDb";

    protected override string DefaultTableNameSuffix => PaymentsTableDefinition.DefaultNameSuffix;
}

/// <summary>Cross-field rules of <see cref="DynamoDbPaymentStoreOptions"/>. Messages name keys, never secret values.</summary>
public sealed class DynamoDbPaymentStoreOptionsValidator() : DynamoDbTableOptionsValidator<DynamoDbPaymentStoreOptions>(DynamoDbPaymentStoreOptions.SectionName);
