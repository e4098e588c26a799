using MetaServer.Friends.DynamoDb;
using MetaServer.Friends.Sqlite;
using MetaServer.Friends.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Friends.Stores;

/// <summary>The kinds of <see cref="IFriendStore"/> a host can be configured with.</summary>
public enum FriendStoreKind
{
    /// <summary>One local file (<c>MetaServer:Friends:Sqlite:*</c>): the embedded default.</summary>
    Sqlite,

    /// <summary>A DynamoDB table (<c>MetaServer:Friends:DynamoDb:*</c>): production.</summary>
    DynamoDb,
}

public static class FriendStoreSelection
{
    /// <summary>Configuration key naming the store kind: <c>Sqlite</c> (default) or <c>DynamoDb</c>, case-insensitive.</summary>
    public const string KindKey = "MetaServer:Friends:Store:Kind";

    /// <summary>
    /// Registers the <see cref="IFriendStore"/> named by <c>MetaServer:Friends:Store:Kind</c>: <c>Sqlite</c> when unset
    /// (the embedded default), <c>DynamoDb</c> for production. Any other value throws at once, naming the key.
    /// </summary>
    public static IServiceCollection AddConfiguredFriendStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Resolve(configuration) switch
        {
            FriendStoreKind.DynamoDb => services.AddDynamoDbFriendStore(configuration),
            _ => services.AddSqliteFriendStore(),
        };
    }

    /// <summary>Whether the configuration names a friend store kind at all (hosts of other services use it to decide whether to read the friend graph).</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[KindKey]);
    }

    /// <summary>The configured kind; <see cref="FriendStoreKind.Sqlite"/> when unset or blank.</summary>
    public static FriendStoreKind Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[KindKey];
        return value?.Trim().ToUpperInvariant() switch
        {
            null or "" or "SQLITE" => FriendStoreKind.Sqlite,
            "DYNAMODB" => FriendStoreKind.DynamoDb,
            _ => throw new InvalidOperationException(
                $"{KindKey} is '{value}'; set it to 'Sqlite' (default: one local file, MetaServer:Friends:Sqlite:Path) "
                + "or 'DynamoDb' (production: MetaServer:Friends:DynamoDb:*)."),
        };
    }
}
