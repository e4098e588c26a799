using MetaServer.Payments.DynamoDb;
using MetaServer.Payments.Sqlite;
using MetaServer.Payments.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Payments.Stores;

/// <summary>The kinds of <see cref="IPaymentStore"/> a host can be configured with.</summary>
public enum PaymentStoreKind
{
    /// <summary>One local file (<c>MetaServer:Payments:Sqlite:*</c>): the embedded default.</summary>
    Sqlite,

    /// <summary>A DynamoDB table (<c>MetaServer:Payments:DynamoDb:*</c>): production.</summary>
    DynamoDb,
}

public static class PaymentStoreSelection
{
    /// <summary>Configuration key naming the store kind: <c>Sqlite</c> (default) or <c>DynamoDb</c>, case-insensitive.</summary>
    public const string KindKey = "MetaServer:Payments:Store:Kind";

    /// <summary>
    /// Registers the <see cref="IPaymentStore"/> named by <c>MetaServer:Payments:Store:Kind</c>: <c>Sqlite</c> when unset
    /// (the embedded default), <c>DynamoDb</c> for production. Any other value throws at once, naming the key.
    /// </summary>
    public static IServiceCollection AddConfiguredPaymentStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Resolve(configuration) switch
        {
            PaymentStoreKind.DynamoDb => services.AddDynamoDbPaymentStore(configuration),
            _ => services.AddSqlitePaymentStore(),
        };
    }

    /// <summary>The configured kind; <see cref="PaymentStoreKind.Sqlite"/> when unset or blank.</summary>
    public static PaymentStoreKind Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[KindKey];
        return value?.Trim().ToUpperInvariant() switch
        {
            null or "" or "SQLITE" => PaymentStoreKind.Sqlite,
            "DYNAMODB" => PaymentStoreKind.DynamoDb,
            _ => throw new InvalidOperationException(
                $"{KindKey} is '{value}'; set it to 'Sqlite' (default: one local file, MetaServer:Payments:Sqlite:Path) "
                + "or 'DynamoDb' (production: MetaServer:Payments:DynamoDb:*)."),
        };
    }
}
