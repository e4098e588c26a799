using MetaServer.Matches.DynamoDb;
using MetaServer.Matches.Sqlite;
using MetaServer.Matches.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Matches.Stores;

/// <summary>The kinds of <see cref="IMatchStore"/> a host can be configured with.</summary>
public enum MatchStoreKind
{
    /// <summary>One local file (<c>MetaServer:Matches:Sqlite:*</c>): the embedded default.</summary>
    Sqlite,

    /// <summary>A DynamoDB table (<c>MetaServer:Matches:DynamoDb:*</c>): production.</summary>
    DynamoDb,
}

public static class MatchStoreSelection
{
    /// <summary>Configuration key naming the store kind: <c>Sqlite</c> (default) or <c>DynamoDb</c>, case-insensitive.</summary>
    public const string KindKey = "MetaServer:Matches:Store:Kind";

    /// <summary>
    /// Registers the <see cref="IMatchStore"/> named by <c>MetaServer:Matches:Store:Kind</c>: <c>Sqlite</c> when unset
    /// (the embedded default), <c>DynamoDb</c> for production. Any other value throws at once, naming the key.
    /// </summary>
    public static IServiceCollection AddConfiguredMatchStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Resolve(configuration) switch
        {
            MatchStoreKind.DynamoDb => services.AddDynamoDbMatchStore(configuration),
            _ => services.AddSqliteMatchStore(),
        };
    }

    /// <summary>The configured kind; <see cref="MatchStoreKind.Sqlite"/> when unset or blank.</summary>
    public static MatchStoreKind Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[KindKey];
        return value?.Trim().ToUpperInvariant() switch
        {
            null or "" or "SQLITE" => MatchStoreKind.Sqlite,
            "DYNAMODB" => MatchStoreKind.DynamoDb,
            _ => throw new InvalidOperationException(
                $"{KindKey} is '{value}'; set it to 'Sqlite' (default: one local file, MetaServer:Matches:Sqlite:Path) "
                + "or 'DynamoDb' (production: MetaServer:Matches:DynamoDb:*)."),
        };
    }
}
