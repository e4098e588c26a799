using System.Diagnostics.Metrics;
using System.Text.Json;
using Amazon.Runtime;
using MetaServer.Aws;
using Microsoft.Extensions.Logging;

namespace MetaServer.Messaging.Sqs;

/// <summary>
/// A thin Amazon SQS client over the JSON protocol (1.0): one signed POST per action with
/// <c>X-Amz-Target: AmazonSQS.&lt;Action&gt;</c>, sent by the shared <see cref="AwsJsonClient"/>. Throttling, 5xx
/// answers and network failures are retried with jittered exponential back-off (<see cref="SqsOptions.MaxRetries"/>);
/// other errors throw at once.
/// </summary>
public sealed class SqsClient : ISqsClient
{
    public const string MeterName = "MetaServer.Messaging.Sqs";
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("metaserver.sqs.calls", description: "SQS API calls (HTTP requests, retries included), by action and outcome.");

    private readonly AwsJsonClient _client;

    /// <param name="http">Shared HTTP client (from IHttpClientFactory); its own timeout should not be shorter than a long poll.</param>
    /// <param name="credentials">Explicit credentials; null uses <see cref="SqsOptions.AccessKey"/> or else the AWS default chain.</param>
    public SqsClient(HttpClient http, SqsOptions options, TimeProvider timeProvider, ILogger<SqsClient> logger, AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var service = new AwsJsonService
        {
            DisplayName = "SQS",
            SigningName = "sqs",
            TargetPrefix = "AmazonSQS",
            ContentType = "application/x-amz-json-1.0",
            Endpoint = options.ResolveEndpoint(),
            Region = options.Region,
            MaxRetries = options.MaxRetries,
            RetryBaseDelay = options.RetryBaseDelay,
            RetryMaxDelay = options.RetryMaxDelay,
            RequestTimeout = options.RequestTimeout,
            Calls = Calls,
        };
        _client = new AwsJsonClient(
            http,
            service,
            () => credentials ?? AwsCredentialsResolver.Resolve(options.AccessKey, options.SecretKey, options.SessionToken),
            timeProvider,
            logger);
    }

    public Uri Endpoint => _client.Endpoint;

    public Task<CreateQueueResponse> CreateQueueAsync(CreateQueueRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<CreateQueueRequest, CreateQueueResponse>("CreateQueue", request, request?.QueueName, cancellationToken);

    public Task<GetQueueUrlResponse> GetQueueUrlAsync(GetQueueUrlRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<GetQueueUrlRequest, GetQueueUrlResponse>("GetQueueUrl", request, request?.QueueName, cancellationToken);

    public Task<GetQueueAttributesResponse> GetQueueAttributesAsync(GetQueueAttributesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<GetQueueAttributesRequest, GetQueueAttributesResponse>("GetQueueAttributes", request, request?.QueueUrl, cancellationToken);

    public Task<SetQueueAttributesResponse> SetQueueAttributesAsync(SetQueueAttributesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<SetQueueAttributesRequest, SetQueueAttributesResponse>("SetQueueAttributes", request, request?.QueueUrl, cancellationToken);

    public Task<DeleteQueueResponse> DeleteQueueAsync(DeleteQueueRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<DeleteQueueRequest, DeleteQueueResponse>("DeleteQueue", request, request?.QueueUrl, cancellationToken);

    public Task<PurgeQueueResponse> PurgeQueueAsync(PurgeQueueRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<PurgeQueueRequest, PurgeQueueResponse>("PurgeQueue", request, request?.QueueUrl, cancellationToken);

    public Task<ListQueuesResponse> ListQueuesAsync(ListQueuesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<ListQueuesRequest, ListQueuesResponse>("ListQueues", request, null, cancellationToken);

    public Task<TagQueueResponse> TagQueueAsync(TagQueueRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<TagQueueRequest, TagQueueResponse>("TagQueue", request, request?.QueueUrl, cancellationToken);

    public Task<ListQueueTagsResponse> ListQueueTagsAsync(ListQueueTagsRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<ListQueueTagsRequest, ListQueueTagsResponse>("ListQueueTags", request, request?.QueueUrl, cancellationToken);

    public Task<SendMessageResponse> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<SendMessageRequest, SendMessageResponse>("SendMessage", request, request?.QueueUrl, cancellationToken);

    public Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<SendMessageBatchRequest, SendMessageBatchResponse>("SendMessageBatch", request, request?.QueueUrl, cancellationToken);

    public Task<ReceiveMessageResponse> ReceiveMessageAsync(ReceiveMessageRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<ReceiveMessageRequest, ReceiveMessageResponse>("ReceiveMessage", request, request?.QueueUrl, cancellationToken, TimeSpan.FromSeconds(request?.WaitTimeSeconds ?? 0));

    public Task<DeleteMessageResponse> DeleteMessageAsync(DeleteMessageRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<DeleteMessageRequest, DeleteMessageResponse>("DeleteMessage", request, request?.QueueUrl, cancellationToken);

    public Task<DeleteMessageBatchResponse> DeleteMessageBatchAsync(DeleteMessageBatchRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<DeleteMessageBatchRequest, DeleteMessageBatchResponse>("DeleteMessageBatch", request, request?.QueueUrl, cancellationToken);

    public Task<ChangeMessageVisibilityResponse> ChangeMessageVisibilityAsync(ChangeMessageVisibilityRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<ChangeMessageVisibilityRequest, ChangeMessageVisibilityResponse>("ChangeMessageVisibility", request, request?.QueueUrl, cancellationToken);

    public Task<ChangeMessageVisibilityBatchResponse> ChangeMessageVisibilityBatchAsync(ChangeMessageVisibilityBatchRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<ChangeMessageVisibilityBatchRequest, ChangeMessageVisibilityBatchResponse>("ChangeMessageVisibilityBatch", request, request?.QueueUrl, cancellationToken);

    private Task<TResponse> InvokeAsync<TRequest, TResponse>(string action, TRequest request, string? queue, CancellationToken cancellationToken, TimeSpan extraTimeout = default)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.InvokeAsync<TRequest, TResponse>(action, request, Json, error => ToException(error, queue), cancellationToken, extraTimeout);
    }

    /// <summary>
    /// An SQS failure as the transport reports it: a missing queue as <see cref="QueueDoesNotExistException"/>,
    /// anything else as <see cref="SqsException"/> with the transport-wide code.
    /// </summary>
    private static Exception ToException(AwsError error, string? queue)
    {
        if (error.Failure is not null)
        {
            return new SqsException(error.Code, error.Message, error.Code, null, error.Status, null, error.Failure);
        }

        if (SqsErrors.IsQueueDoesNotExist(error.Code, error.QueryCode))
        {
            return new QueueDoesNotExistException(queue is null ? "(unknown)" : SqsErrors.QueueNameOf(queue));
        }

        return new SqsException(SqsErrors.ToTransportCode(error.Code), $"SQS error {error.Code}: {error.Message}", error.Code, error.QueryCode, error.Status, error.RequestId);
    }
}
