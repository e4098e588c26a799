using System.Net;

namespace MetaServer.Client;

/// <summary>
/// The WebSocket connection could not be established: the server is unreachable or refused the upgrade
/// (then <see cref="HttpStatusCode"/> holds the HTTP status it answered with, e.g. 403 for a refused origin).
/// </summary>
public sealed class MetaServerConnectException : Exception
{
    public MetaServerConnectException()
    {
    }

    public MetaServerConnectException(string message)
        : base(message)
    {
    }

    public MetaServerConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MetaServerConnectException(string message, HttpStatusCode? httpStatusCode, Exception? innerException)
        : base(message, innerException)
    {
        HttpStatusCode = httpStatusCode;
    }

    /// <summary>HTTP status of a refused upgrade; null when no HTTP response was received (e.g. connection refused).</summary>
    public HttpStatusCode? HttpStatusCode { get; }
}
