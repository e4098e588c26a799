using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace MetaServer.Aws;

/// <summary>
/// One AWS JSON-protocol endpoint: each action is a SigV4-signed POST of a JSON body to the endpoint with
/// <c>X-Amz-Target: {TargetPrefix}.{Action}</c>. Throttling, 5xx answers and network failures are retried with
/// jittered exponential back-off (<see cref="AwsJsonService.MaxRetries"/>); other errors fail at once. A failure
/// is handed to the caller's error mapper as an <see cref="AwsError"/>, so each service throws its own typed exception.
/// </summary>
public sealed class AwsJsonClient
{
    private readonly HttpClient _http;
    private readonly AwsJsonService _service;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lazy<AWSCredentials> _credentials;
    private readonly MediaTypeHeaderValue _contentType;

    /// <param name="http">Shared HTTP client (from IHttpClientFactory); its own timeout should not cut calls short.</param>
    /// <param name="credentials">Resolved once, on the first call (the default chain may do I/O).</param>
    public AwsJsonClient(HttpClient http, AwsJsonService service, Func<AWSCredentials> credentials, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        _service = service;
        _timeProvider = timeProvider;
        _logger = logger;
        _contentType = new MediaTypeHeaderValue(service.ContentType);
        _credentials = new Lazy<AWSCredentials>(credentials, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Uri Endpoint => _service.Endpoint;

    public AwsJsonService Service => _service;

    /// <summary>
    /// Sends <paramref name="request"/> (serialized with <paramref name="json"/>) as <paramref name="action"/> and
    /// returns the deserialized answer (an empty body gives the response of <c>{}</c>).
    /// </summary>
    /// <param name="toException">Maps a final failure (after retries) to the exception to throw.</param>
    /// <param name="extraTimeout">Added to the per-call time limit (e.g. a long-poll wait).</param>
    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string action,
        TRequest request,
        JsonSerializerOptions json,
        Func<AwsError, Exception> toException,
        CancellationToken cancellationToken,
        TimeSpan extraTimeout = default)
        where TResponse : class
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(toException);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, json);
        var content = await SendAsync(action, body, toException, cancellationToken, extraTimeout);
        try
        {
            var result = content.Length == 0 ? null : JsonSerializer.Deserialize<TResponse>(content, json);
            return result ?? JsonSerializer.Deserialize<TResponse>("{}"u8, json)!;
        }
        catch (JsonException ex)
        {
            throw toException(new AwsError(
                HttpStatusCode.OK,
                "InvalidResponse",
                null,
                $"{_service.DisplayName} {action} returned a body that is not the expected JSON: {ex.Message}",
                null,
                ex));
        }
    }

    /// <summary>Sends a ready JSON body as <paramref name="action"/>, retrying transient failures; returns the answer's bytes.</summary>
    public async Task<byte[]> SendAsync(string action, byte[] body, Func<AwsError, Exception> toException, CancellationToken cancellationToken, TimeSpan extraTimeout = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(toException);
        var timeLimit = _service.RequestTimeout + extraTimeout;
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AwsError error;
            using (var timeout = new CancellationTokenSource(timeLimit, _timeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    using var message = await CreateRequestAsync(action, body, linked.Token);
                    using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
                    var content = await response.Content.ReadAsByteArrayAsync(linked.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        Count(action, "ok");
                        return content;
                    }

                    error = AwsError.Read(response, content);
                }
                catch (HttpRequestException ex)
                {
                    error = NetworkFailure(action, attempt, ex);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    error = NetworkFailure(action, attempt, new TimeoutException($"{_service.DisplayName} {action} did not answer within {timeLimit}.", ex));
                }
            }

            Count(action, error.IsNetworkFailure ? "network" : error.Code);
            if (!error.IsRetryable || attempt >= _service.MaxRetries)
            {
                throw toException(error);
            }

            var delay = AwsRetryPolicy.BackoffDelay(attempt, _service.RetryBaseDelay, _service.RetryMaxDelay);
            AwsLog.Retrying(_logger, _service.DisplayName, action, attempt + 1, error.IsNetworkFailure ? error.Failure!.GetType().Name : error.Code, delay);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
    }

    private AwsError NetworkFailure(string action, int attempt, Exception failure) => new(
        0,
        AwsError.NetworkFailureCode,
        null,
        $"{_service.DisplayName} {action} failed after {attempt + 1} attempt(s): {failure.Message}",
        null,
        failure);

    private void Count(string action, string outcome) =>
        _service.Calls?.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("outcome", outcome));

    private async Task<HttpRequestMessage> CreateRequestAsync(string action, byte[] body, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.Value.GetCredentialsAsync().WaitAsync(cancellationToken);
        var message = new HttpRequestMessage(HttpMethod.Post, _service.Endpoint)
        {
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = _contentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", _service.TargetPrefix + "." + action);
        AwsSigV4Signer.Sign(message, body, credentials, _service.Region, _service.SigningName, _timeProvider.GetUtcNow());
        return message;
    }
}
