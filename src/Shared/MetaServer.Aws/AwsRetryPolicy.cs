using System.Net;

namespace MetaServer.Aws;

/// <summary>Which AWS errors are worth retrying, and the back-off between attempts.</summary>
public static class AwsRetryPolicy
{
    private static readonly HashSet<string> Transient = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
        "KmsThrottled", "ServiceUnavailable", "InternalError", "InternalFailure", "InternalServiceException",
        "RequestTimeout", "RequestTimeoutException",
    };

    /// <summary>Throttling and server-side errors (any 5xx, 429, or a throttling/internal error code).</summary>
    public static bool IsRetryable(HttpStatusCode status, string awsErrorCode) =>
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests || (awsErrorCode is not null && Transient.Contains(awsErrorCode));

    /// <summary>Equal-jitter exponential back-off: half the step fixed, half random, capped at <paramref name="maxDelay"/>.</summary>
    public static TimeSpan BackoffDelay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var step = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(Math.Max(attempt, 0), 20));
        var capped = Math.Min(step, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }
}
