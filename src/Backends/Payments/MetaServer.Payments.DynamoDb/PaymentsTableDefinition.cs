using MetaServer.DynamoDb;

namespace MetaServer.Payments.DynamoDb;

/// <summary>
/// The payments table: an item-store table (layout: <see cref="ItemTableDefinition"/>; infra/dynamodb.tf declares the same for
/// production and a test fails when the two drift).
/// </summary>
public static class PaymentsTableDefinition
{
    /// <summary>Default table name after the deployment-version prefix: <c>&lt;version&gt;-payments</c>.</summary>
    public const string DefaultNameSuffix = "payments";
}
