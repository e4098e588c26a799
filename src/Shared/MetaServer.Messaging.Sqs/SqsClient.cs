using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Logging;

namespace MetaServer.Messaging.Sqs;

/// <summary>
/// A thin Amazon SQS client over the JSON protocol: one signed POST per action with
/// <c>X-Amz-Target: AmazonSQS.&lt;Action&gt;</c>. Throttling, 5xx answers and network failures are retried with
/// jittered exponential back-off (<see cref="SqsOptions.MaxRetries"/>); other errors throw at once.
/// </summary>
public sealed class SqsClient : ISqsClient
{
    public const string MeterName = "MetaServer.Messaging.Sqs";
    private const string ContentType = "application/x-amz-json-1.0";
    private static readonly MediaTypeHeaderValue JsonContentType = new(ContentType);

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("metaserver.sqs.calls", description: "SQS API calls (HTTP requests, retries included), by action and outcome.");

    private readonly HttpClient _http;
    private readonly SqsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lazy<AWSCredentials> _credentials;
    private readonly Uri _endpoint;

    /// <param name="http">Shared HTTP client (from IHttpClientFactory); its own timeout should not be shorter than a long poll.</param>
    /// <param name="credentials">Explicit credentials; null uses <see cref="SqsOptions.AccessKey"/> or else the AWS default chain.</param>
    public SqsClient(HttpClient http, SqsOptions options, TimeProvider timeProvider, ILogger<SqsClient> logger, AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _endpoint = options.ResolveEndpoint();
        _credentials = new Lazy<AWSCredentials>(() => credentials ?? ResolveCredentials(options), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Uri Endpoint => _endpoint;

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

    private async Task<TResponse> InvokeAsync<TRequest, TResponse>(string action, TRequest request, string? queue, CancellationToken cancellationToken, TimeSpan extraTimeout = default)
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, Json);
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SqsError? error = null;
            Exception? failure = null;
            using (var timeout = new CancellationTokenSource(_options.RequestTimeout + extraTimeout, _timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    using var message = await CreateRequestAsync(action, body, linked.Token);
                    using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
                    var content = await response.Content.ReadAsByteArrayAsync(linked.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        Calls.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("outcome", "ok"));
                        return Deserialize<TResponse>(action, content);
                    }

                    error = SqsError.Read(response, content);
                }
                catch (HttpRequestException ex)
                {
                    failure = ex;
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new TimeoutException($"SQS {action} did not answer within {_options.RequestTimeout + extraTimeout}.", ex);
                }
            }

            Calls.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("outcome", error?.AwsCode ?? "network"));
            var retryable = error is null || SqsErrors.IsRetryable(error.Status, error.AwsCode);
            if (!retryable || attempt >= _options.MaxRetries)
            {
                if (error is not null)
                {
                    throw error.ToException(queue);
                }

                throw new SqsException("NetworkFailure", $"SQS {action} failed after {attempt + 1} attempt(s): {failure!.Message}", "NetworkFailure", null, 0, null, failure);
            }

            var delay = BackoffDelay(attempt);
            SqsLog.Retrying(_logger, action, attempt + 1, error?.AwsCode ?? failure!.GetType().Name, delay);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
    }

    /// <summary>Equal-jitter exponential back-off: half the step fixed, half random, capped.</summary>
    private TimeSpan BackoffDelay(int attempt)
    {
        var step = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20));
        var capped = Math.Min(step, _options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(string action, byte[] body, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.Value.GetCredentialsAsync().WaitAsync(cancellationToken);
        var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = JsonContentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonSQS." + action);
        SigV4Signer.Sign(message, body, credentials, _options.Region, _timeProvider.GetUtcNow());
        return message;
    }

    private static TResponse Deserialize<TResponse>(string action, byte[] content)
        where TResponse : class
    {
        try
        {
            var result = content.Length == 0 ? null : JsonSerializer.Deserialize<TResponse>(content, Json);
            return result ?? JsonSerializer.Deserialize<TResponse>("{}"u8, Json)!;
        }
        catch (JsonException ex)
        {
            throw new SqsException("InvalidResponse", $"SQS {action} returned a body that is not the expected JSON: {ex.Message}", "InvalidResponse", null, HttpStatusCode.OK, null, ex);
        }
    }

    private static AWSCredentials ResolveCredentials(SqsOptions options)
    {
        if (!string.IsNullOrEmpty(options.AccessKey))
        {
            return string.IsNullOrEmpty(options.SessionToken)
                ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
                : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.SessionToken);
        }

        // Environment variables, shared profile, web identity, ECS task role, EC2 instance role.
        return DefaultAWSCredentialsIdentityResolver.GetCredentials();
    }

    /// <summary>An error answer: JSON <c>__type</c> and <c>message</c>, plus the legacy query error header.</summary>
    private sealed record SqsError(HttpStatusCode Status, string AwsCode, string? QueryCode, string Message, string? RequestId)
    {
        public static SqsError Read(HttpResponseMessage response, byte[] content)
        {
            string? type = null;
            string? message = null;
            try
            {
                if (content.Length > 0)
                {
                    using var doc = JsonDocument.Parse(content);
                    foreach (var property in doc.RootElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            continue;
                        }

                        if (property.NameEquals("__type") || property.Name.Equals("code", StringComparison.OrdinalIgnoreCase))
                        {
                            type ??= property.Value.GetString();
                        }
                        else if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase))
                        {
                            message ??= property.Value.GetString();
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy or load balancer answered): the status code is all there is.
            }

            string? queryCode = null;
            if (response.Headers.TryGetValues("x-amzn-query-error", out var values))
            {
                var header = values.FirstOrDefault() ?? string.Empty;
                var semicolon = header.IndexOf(';', StringComparison.Ordinal);
                queryCode = semicolon >= 0 ? header[..semicolon] : header;
            }

            var code = type is null ? null : type[(type.LastIndexOf('#') + 1)..];
            if (string.IsNullOrEmpty(code))
            {
                code = response.StatusCode == HttpStatusCode.TooManyRequests ? "Throttling" : $"Http{(int)response.StatusCode}";
            }

            var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
            return new SqsError(response.StatusCode, code, queryCode, message ?? response.ReasonPhrase ?? code, requestId);
        }

        public TransportException ToException(string? queue)
        {
            if (SqsErrors.IsQueueDoesNotExist(AwsCode, QueryCode))
            {
                return new QueueDoesNotExistException(queue is null ? "(unknown)" : SqsErrors.QueueNameOf(queue));
            }

            return new SqsException(SqsErrors.ToTransportCode(AwsCode), $"SQS error {AwsCode}: {Message}", AwsCode, QueryCode, Status, RequestId);
        }
    }
}
