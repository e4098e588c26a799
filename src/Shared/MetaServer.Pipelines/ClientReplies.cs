using Google.Protobuf;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Pipelines;

/// <summary>Builds the <c>frontend.client-reply</c> answer to a routed client request (see <c>ClientReply</c>).</summary>
public static class ClientReplies
{
    /// <summary>An OK reply carrying <paramref name="response"/> (the client envelope's response payload; its request id is set by the frontend).</summary>
    public static IReadOnlyList<OutgoingMessage> Ok(IncomingMessage request, Envelope response, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        var envelope = response.Clone();
        envelope.RequestId = 0;
        envelope.Result = new Result { Code = ResultCode.Ok };
        return To(request, envelope, timeProvider);
    }

    /// <summary>An error reply: <paramref name="code"/> with a plain-language <paramref name="message"/> (never internals).</summary>
    public static IReadOnlyList<OutgoingMessage> Error(IncomingMessage request, ResultCode code, string message, TimeProvider timeProvider)
    {
        if (code == ResultCode.Ok)
        {
            throw new ArgumentException("An error reply needs an error code.", nameof(code));
        }

        return To(request, new Envelope { Result = new Result { Code = code, Message = message } }, timeProvider);
    }

    /// <summary>Sends <paramref name="reply"/> as it is (it must carry a result).</summary>
    public static IReadOnlyList<OutgoingMessage> To(IncomingMessage request, Envelope reply, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Result is null)
        {
            throw new ArgumentException("A client reply needs a result.", nameof(reply));
        }

        return Replies.To(request, MessageTypes.FrontendClientReply, new ClientReply { Envelope = reply }.ToByteArray(), timeProvider);
    }
}
