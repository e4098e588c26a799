using Amazon.Runtime;
using MetaServer.Messaging.Sqs;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Messaging.Tests.Sqs;

/// <summary>One fauxqs stand-in per test class.</summary>
public sealed class FauxqsFixture : IAsyncLifetime
{
    private StandIn? _sqs;

    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    public Uri Endpoint => (_sqs ?? throw new InvalidOperationException("fauxqs is not started.")).HttpEndpoint;

    public async Task InitializeAsync() => _sqs = await StandIn.StartSqsAsync();

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_sqs is not null)
        {
            await _sqs.DisposeAsync();
        }
    }

    public SqsOptions Options(Action<SqsOptions>? configure = null)
    {
        var options = new SqsOptions
        {
            ServiceUrl = Endpoint.ToString(),
            Region = "us-east-1",
            AccessKey = "test",
            SecretKey = "test",
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public SqsClient CreateClient(SqsOptions? options = null, TimeProvider? timeProvider = null) =>
        new(Http, options ?? Options(), timeProvider ?? TimeProvider.System, NullLogger<SqsClient>.Instance, new BasicAWSCredentials("test", "test"));
}

/// <summary>Scripted SQS answers for <see cref="LoopbackHttpServer"/>.</summary>
internal static class SqsResponses
{
    public const string ContentType = "application/x-amz-json-1.0";

    public static ScriptedResponse Error(int status, string type, string message, string? queryError = null) =>
        new(status, $$"""{"__type":"com.amazonaws.sqs#{{type}}","message":"{{message}}"}""", queryError is null ? null : new Dictionary<string, string> { ["x-amzn-query-error"] = queryError });
}
