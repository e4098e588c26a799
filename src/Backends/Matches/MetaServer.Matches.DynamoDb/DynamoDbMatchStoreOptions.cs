using MetaServer.DynamoDb;

namespace MetaServer.Matches.DynamoDb;

/// <summary>Settings of the DynamoDB match store. Bound from <c>MetaServer:Matches:DynamoDb</c>, validated at start.</summary>
public sealed class DynamoDbMatchStoreOptions : DynamoDbTableOptions
{
    public const string SectionName = "MetaServer:Matches:DynamoDb";

    protected override string DefaultTableNameSuffix => MatchesTableDefinition.DefaultNameSuffix;
}

/// <summary>Cross-field rules of <see cref="DynamoDbMatchStoreOptions"/>. Messages name keys, never secret values.</summary>
public sealed class DynamoDbMatchStoreOptionsValidator() : DynamoDbTableOptionsValidator<DynamoDbMatchStoreOptions>(DynamoDbMatchStoreOptions.SectionName);
