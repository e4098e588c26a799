using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Runtime;
using MetaServer.Aws;
using Microsoft.Extensions.Logging;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>
/// A thin Amazon GameLift client over the JSON protocol 1.1: one SigV4-signed POST per action with
/// <c>X-Amz-Target: GameLift.&lt;Action&gt;</c>, sent by the shared <see cref="AwsJsonClient"/>.
/// </summary>
public sealed class GameLiftClient : IGameLiftClient
{
    public const string MeterName = "MetaServer.Matchmaking.GameLift";
    public const string SigningName = "gamelift";
    public const string TargetPrefix = "GameLift";
    public const string ContentType = "application/x-amz-json-1.1";

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("metaserver.gamelift.calls", description: "GameLift API calls (HTTP requests, retries included), by action and outcome.");

    private readonly AwsJsonClient _client;

    /// <param name="http">Shared HTTP client (from IHttpClientFactory).</param>
    /// <param name="credentials">Explicit credentials; null uses <see cref="GameLiftOptions.AccessKey"/> or else the AWS default chain.</param>
    public GameLiftClient(HttpClient http, GameLiftOptions options, TimeProvider timeProvider, ILogger<GameLiftClient> logger, AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var service = new AwsJsonService
        {
            DisplayName = "GameLift",
            SigningName = SigningName,
            TargetPrefix = TargetPrefix,
            ContentType = ContentType,
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

    public Task<StartMatchmakingResponse> StartMatchmakingAsync(StartMatchmakingRequest request, CancellationToken cancellationToken = default)
    {
        GameLiftRequestValidator.Validate(request);
        return InvokeAsync<StartMatchmakingRequest, StartMatchmakingResponse>("StartMatchmaking", request, cancellationToken);
    }

    public Task<StopMatchmakingResponse> StopMatchmakingAsync(StopMatchmakingRequest request, CancellationToken cancellationToken = default)
    {
        GameLiftRequestValidator.Validate(request);
        return InvokeAsync<StopMatchmakingRequest, StopMatchmakingResponse>("StopMatchmaking", request, cancellationToken);
    }

    public Task<AcceptMatchResponse> AcceptMatchAsync(AcceptMatchRequest request, CancellationToken cancellationToken = default)
    {
        GameLiftRequestValidator.Validate(request);
        return InvokeAsync<AcceptMatchRequest, AcceptMatchResponse>("AcceptMatch", request, cancellationToken);
    }

    public Task<DescribeMatchmakingResponse> DescribeMatchmakingAsync(DescribeMatchmakingRequest request, CancellationToken cancellationToken = default)
    {
        GameLiftRequestValidator.Validate(request);
        return InvokeAsync<DescribeMatchmakingRequest, DescribeMatchmakingResponse>("DescribeMatchmaking", request, cancellationToken);
    }

    private Task<TResponse> InvokeAsync<TRequest, TResponse>(string action, TRequest request, CancellationToken cancellationToken)
        where TResponse : class =>
        _client.InvokeAsync<TRequest, TResponse>(action, request, Json, error => GameLiftException.From(error, action), cancellationToken);
}
