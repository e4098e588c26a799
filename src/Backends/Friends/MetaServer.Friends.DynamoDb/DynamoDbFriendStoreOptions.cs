using MetaServer.DynamoDb;

namespace MetaServer.Friends.DynamoDb;

/// <summary>Settings of the DynamoDB friend store. Bound from <c>MetaServer:Friends:DynamoDb</c>, validated at start.</summary>
public sealed class DynamoDbFriendStoreOptions : DynamoDbTableOptions
{
    public const string SectionName = "MetaServer:Friends:DynamoDb";

    protected override string DefaultTableNameSuffix => FriendsTableDefinition.DefaultNameSuffix;
}

/// <summary>Cross-field rules of <see cref="DynamoDbFriendStoreOptions"/>. Messages name keys, never secret values.</summary>
public sealed class DynamoDbFriendStoreOptionsValidator() : DynamoDbTableOptionsValidator<DynamoDbFriendStoreOptions>(DynamoDbFriendStoreOptions.SectionName);
