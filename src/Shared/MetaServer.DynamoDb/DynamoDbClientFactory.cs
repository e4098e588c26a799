using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace MetaServer.DynamoDb;

/// <summary>Builds the DynamoDB client a store uses from <see cref="DynamoDbTableOptions"/>.</summary>
public static class DynamoDbClientFactory
{
    /// <summary>Signing region used with a <see cref="DynamoDbTableOptions.ServiceUrl"/> when no region is configured.</summary>
    public const string StandInDefaultRegion = "us-east-1";

    /// <summary>
    /// A client with the SDK's standard retry mode and <see cref="DynamoDbTableOptions.MaxErrorRetry"/> retries.
    /// Credentials: the explicit test credentials when both are set, else the SDK's default chain.
    /// </summary>
    public static AmazonDynamoDBClient Create(DynamoDbTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonDynamoDBConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.RequestTimeout,
        };
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrEmpty(options.Region) ? StandInDefaultRegion : options.Region;
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return options.HasExplicitCredentials
            ? new AmazonDynamoDBClient(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), config)
            : new AmazonDynamoDBClient(config);
    }
}
