using MetaServer.DynamoDb;

namespace MetaServer.Matches.DynamoDb;

/// <summary>
/// The matches table: an item-store table (layout: <see cref="ItemTableDefinition"/>; infra/dynamodb.tf declares the same for
/// production and a test fails when the two drift).
/// </summary>
public static class MatchesTableDefinition
{
    /// <summary>Default table name after the deployment-version prefix: <c>&lt;version&gt;-matches</c>.</summary>
    public const string DefaultNameSuffix = "matches";
}
