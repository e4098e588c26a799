using MetaServer.DynamoDb;

namespace MetaServer.Accounts.DynamoDb;

/// <summary>Settings of the DynamoDB account store. Bound from <c>MetaServer:Accounts:DynamoDb</c>, validated at start.</summary>
public sealed class DynamoDbAccountStoreOptions : DynamoDbTableOptions
{
    public const string SectionName = "MetaServer:Accounts:DynamoDb";

    protected override string DefaultTableNameSuffix => AccountsTableDefinition.DefaultNameSuffix;
}

/// <summary>Cross-field rules of <see cref="DynamoDbAccountStoreOptions"/>. Messages name keys, never secret values.</summary>
public sealed class DynamoDbAccountStoreOptionsValidator() : DynamoDbTableOptionsValidator<DynamoDbAccountStoreOptions>(DynamoDbAccountStoreOptions.SectionName);
