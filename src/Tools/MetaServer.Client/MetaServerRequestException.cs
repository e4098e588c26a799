using MetaServer.Protocol.V1;

namespace MetaServer.Client;

/// <summary>The server answered a request with a non-OK <see cref="ResultCode"/>.</summary>
public sealed class MetaServerRequestException : Exception
{
    public MetaServerRequestException()
        : this(ResultCode.Internal, string.Empty, 0)
    {
    }

    public MetaServerRequestException(string message)
        : this(ResultCode.Internal, message, 0)
    {
    }

    public MetaServerRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        ServerMessage = message;
        Code = ResultCode.Internal;
    }

    public MetaServerRequestException(ResultCode code, string serverMessage, ulong requestId)
        : base(FormatMessage(code, serverMessage))
    {
        Code = code;
        ServerMessage = serverMessage ?? string.Empty;
        RequestId = requestId;
    }

    /// <summary>The result code of the reply.</summary>
    public ResultCode Code { get; }

    /// <summary>The human-readable message the server sent with the result (may be empty).</summary>
    public string ServerMessage { get; }

    /// <summary>Id of the refused request.</summary>
    public ulong RequestId { get; }

    private static string FormatMessage(ResultCode code, string? serverMessage) =>
        string.IsNullOrEmpty(serverMessage) ? $"Request refused: {code}." : $"Request refused: {code}: {serverMessage}";
}

/// <summary>
/// The connection is closed (or closed while the request was pending), so no reply can arrive.
/// Carries the WebSocket close status and description when the server sent them.
/// </summary>
public sealed class MetaServerConnectionClosedException : Exception
{
    public MetaServerConnectionClosedException()
        : this("The connection to the server is closed.")
    {
    }

    public MetaServerConnectionClosedException(string message)
        : base(message)
    {
    }

    public MetaServerConnectionClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MetaServerConnectionClosedException(string message, System.Net.WebSockets.WebSocketCloseStatus? closeStatus, string? closeStatusDescription, Exception? innerException = null)
        : base(message, innerException)
    {
        CloseStatus = closeStatus;
        CloseStatusDescription = closeStatusDescription;
    }

    /// <summary>Close status sent by the server, or null if the connection ended without a close handshake.</summary>
    public System.Net.WebSockets.WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>Close description sent by the server, if any.</summary>
    public string? CloseStatusDescription { get; }
}

/// <summary>The server sent something that does not follow the protocol (e.g. a reply with an unexpected payload).</summary>
public sealed class MetaServerProtocolException : Exception
{
    public MetaServerProtocolException()
    {
    }

    public MetaServerProtocolException(string message)
        : base(message)
    {
    }

    public MetaServerProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
