using System.Net;
using MetaServer.Aws;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>Error codes of the GameLift matchmaking actions (API reference), plus the client's own.</summary>
public static class GameLiftErrorCodes
{
    public const string InvalidRequest = "InvalidRequestException";
    public const string NotFound = "NotFoundException";
    public const string InternalService = "InternalServiceException";
    public const string UnsupportedRegion = "UnsupportedRegionException";
    public const string Throttling = "ThrottlingException";

    /// <summary>No answer (connection failure or time-out) after the retries.</summary>
    public const string NetworkFailure = AwsError.NetworkFailureCode;

    /// <summary>A success answer whose body is not the documented JSON.</summary>
    public const string InvalidResponse = "InvalidResponse";
}

/// <summary>An error GameLift returned (or no answer at all): the AWS error code, message, HTTP status and request id.</summary>
public sealed class GameLiftException : Exception
{
    public GameLiftException(string errorCode, string message, HttpStatusCode statusCode, string? requestId, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The AWS error code (<c>__type</c> without namespace), e.g. <see cref="GameLiftErrorCodes.InvalidRequest"/>.</summary>
    public string ErrorCode { get; }

    /// <summary>The HTTP status; 0 when there was no answer.</summary>
    public HttpStatusCode StatusCode { get; }

    public string? RequestId { get; }

    /// <summary>Throttling, server-side and network errors; the client has already retried these before throwing.</summary>
    public bool IsRetryable => ErrorCode == GameLiftErrorCodes.NetworkFailure || AwsRetryPolicy.IsRetryable(StatusCode, ErrorCode);

    internal static GameLiftException From(AwsError error, string action) => error.Failure is not null
        ? new GameLiftException(error.Code, error.Message, error.Status, error.RequestId, error.Failure)
        : new GameLiftException(error.Code, $"GameLift {action} failed: {error.Code}: {error.Message}", error.Status, error.RequestId);
}
