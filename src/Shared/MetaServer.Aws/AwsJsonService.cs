using System.Diagnostics.Metrics;

namespace MetaServer.Aws;

/// <summary>
/// What one AWS JSON-protocol service client needs from <see cref="AwsJsonClient"/>: how to address and sign its
/// calls (<c>X-Amz-Target: {TargetPrefix}.{Action}</c>, content type, SigV4 service name) and its retry settings.
/// </summary>
public sealed record AwsJsonService
{
    /// <summary>Name in messages and logs, e.g. "SQS", "GameLift".</summary>
    public required string DisplayName { get; init; }

    /// <summary>SigV4 service name of the credential scope, e.g. "sqs", "gamelift".</summary>
    public required string SigningName { get; init; }

    /// <summary>Prefix of the <c>X-Amz-Target</c> header, e.g. "AmazonSQS", "GameLift".</summary>
    public required string TargetPrefix { get; init; }

    /// <summary><c>application/x-amz-json-1.0</c> or <c>application/x-amz-json-1.1</c>.</summary>
    public required string ContentType { get; init; }

    public required Uri Endpoint { get; init; }

    /// <summary>AWS region, also the SigV4 signing region.</summary>
    public required string Region { get; init; }

    /// <summary>Retries of a throttled, failed (5xx) or unreachable call.</summary>
    public int MaxRetries { get; init; } = 4;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit of one HTTP call (a call may add its own extra, e.g. a long poll).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Optional counter of HTTP calls (retries included), tagged by action and outcome.</summary>
    public Counter<long>? Calls { get; init; }
}
