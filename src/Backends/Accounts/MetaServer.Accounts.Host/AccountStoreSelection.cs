using MetaServer.Accounts.DynamoDb;
using MetaServer.Accounts.Sqlite;

namespace MetaServer.Accounts.Host;

/// <summary>
/// Picks the account store of a stand-alone accounts process from <c>MetaServer:Accounts:Store</c>. There is no
/// default: a production process that silently fell back to a local SQLite file would lose data across machines.
/// </summary>
internal static class AccountStoreSelection
{
    public const string Key = "MetaServer:Accounts:Store";

    public static IServiceCollection AddConfiguredAccountStore(this IServiceCollection services, IConfiguration configuration)
    {
        var value = configuration[Key];
        return value?.Trim().ToUpperInvariant() switch
        {
            "DYNAMODB" => services.AddDynamoDbAccountStore(),
            "SQLITE" => services.AddSqliteAccountStore(),
            _ => throw new InvalidOperationException(
                $"{Key} is '{value ?? "(not set)"}'; set it to 'DynamoDb' (production: MetaServer:Accounts:DynamoDb:*) "
                + "or 'Sqlite' (one accounts process on one machine: MetaServer:Accounts:Sqlite:Path)."),
        };
    }
}
