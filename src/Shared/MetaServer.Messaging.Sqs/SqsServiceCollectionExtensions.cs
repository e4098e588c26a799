using MetaServer.Aws;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Messaging.Sqs;

public static class SqsServiceCollectionExtensions
{
    /// <summary>Name of the HttpClient the SQS client uses (IHttpClientFactory).</summary>
    public const string HttpClientName = "MetaServer.Sqs";

    /// <summary>
    /// Registers <see cref="SqsOptions"/> (section <c>MetaServer:Sqs</c>, validated at start), <see cref="ISqsClient"/>,
    /// <see cref="SqsTransport"/> as <see cref="IMessageTransport"/> and, unless disabled, the
    /// <see cref="ReplyQueueJanitor"/>. Needs <see cref="TimeProvider"/> and <see cref="QueueNames"/> registered.
    /// </summary>
    public static IServiceCollection AddSqsTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAwsServiceOptions<SqsOptions, SqsOptionsValidator>(configuration, SqsOptions.SectionName, HttpClientName);
        services.TryAddSingleton<ISqsClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SqsOptions>>().Value;
            var client = new SqsClient(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                options,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SqsClient>>());
            SqsLog.Started(
                sp.GetRequiredService<ILogger<SqsClient>>(),
                client.Endpoint,
                options.Region,
                options.BatchingEnabled,
                options.DescribeCredentialSource());
            return client;
        });
        services.TryAddSingleton(sp => new SqsTransport(
            sp.GetRequiredService<ISqsClient>(),
            sp.GetRequiredService<IOptions<SqsOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SqsTransport>>(),
            sp.GetRequiredService<QueueNames>().ReplyQueuePrefix));
        services.TryAddSingleton<IMessageTransport>(sp => sp.GetRequiredService<SqsTransport>());
        services.AddHostedService(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SqsOptions>>().Value;
            return new ReplyQueueJanitor(
                sp.GetRequiredService<ISqsClient>(),
                sp.GetRequiredService<SqsTransport>(),
                options,
                sp.GetRequiredService<QueueNames>().ReplyQueuePrefix,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ReplyQueueJanitor>>());
        });
        return services;
    }
}
