using Google.Protobuf;
using MetaServer.Protocol.Internal.V1;

namespace MetaServer.Messaging;

/// <summary>
/// What travels on every internal queue: the message type, routing metadata and an opaque
/// protobuf payload. Encoded with <see cref="EnvelopeCodec"/>.
/// </summary>
public sealed record MessageEnvelope
{
    public required string MessageType { get; init; }

    /// <summary>Unique per message; a redelivered message keeps its id.</summary>
    public required string MessageId { get; init; }

    /// <summary>Ties a reply to its request.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Queue the reply goes to (the frontend instance's reply queue).</summary>
    public string? ReplyTo { get; init; }

    public string? PlayerId { get; init; }

    public string? SessionId { get; init; }

    public required string DeploymentVersion { get; init; }

    public string? TraceId { get; init; }

    public DateTimeOffset SentAt { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }
}

/// <summary>Thrown when a queue message body is not a valid envelope.</summary>
public sealed class EnvelopeFormatException(string message, Exception? innerException = null)
    : Exception(message, innerException);

public static class EnvelopeCodec
{
    public static byte[] Encode(MessageEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var wire = new QueueEnvelope
        {
            MessageType = envelope.MessageType,
            MessageId = envelope.MessageId,
            CorrelationId = envelope.CorrelationId ?? string.Empty,
            ReplyTo = envelope.ReplyTo ?? string.Empty,
            PlayerId = envelope.PlayerId ?? string.Empty,
            SessionId = envelope.SessionId ?? string.Empty,
            DeploymentVersion = envelope.DeploymentVersion,
            TraceId = envelope.TraceId ?? string.Empty,
            SentAtUnixMs = envelope.SentAt.ToUnixTimeMilliseconds(),
            Payload = ByteString.CopyFrom(envelope.Payload.Span),
        };
        return wire.ToByteArray();
    }

    public static MessageEnvelope Decode(ReadOnlyMemory<byte> body)
    {
        QueueEnvelope wire;
        try
        {
            wire = QueueEnvelope.Parser.ParseFrom(body.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new EnvelopeFormatException("The message body is not a queue envelope.", ex);
        }

        if (wire.MessageType.Length == 0 || wire.MessageId.Length == 0)
        {
            throw new EnvelopeFormatException("The queue envelope has no message type or message id.");
        }

        return new MessageEnvelope
        {
            MessageType = wire.MessageType,
            MessageId = wire.MessageId,
            CorrelationId = NullIfEmpty(wire.CorrelationId),
            ReplyTo = NullIfEmpty(wire.ReplyTo),
            PlayerId = NullIfEmpty(wire.PlayerId),
            SessionId = NullIfEmpty(wire.SessionId),
            DeploymentVersion = wire.DeploymentVersion,
            TraceId = NullIfEmpty(wire.TraceId),
            SentAt = DateTimeOffset.FromUnixTimeMilliseconds(wire.SentAtUnixMs),
            Payload = wire.Payload.Memory,
        };
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
