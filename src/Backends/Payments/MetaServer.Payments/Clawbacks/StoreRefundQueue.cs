using Google.Protobuf;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Payments.Service;
using MetaServer.Payments.Verification;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Clawbacks;

/// <summary>Puts store refunds on the <c>payments.store-refund</c> queue (durably: returns once the transport took the message).</summary>
public sealed class StoreRefundQueue(IMessageTransport transport, QueueNames queueNames, IOptions<MetaServerOptions> serverOptions, TimeProvider timeProvider)
{
    public async ValueTask EnqueueAsync(StoreRefund refund, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refund);
        var notice = new StoreRefundNotice
        {
            Store = StoreNames.ToWire(refund.Store),
            TransactionKey = refund.TransactionKey,
            Kind = refund.Kind == Verification.StoreRefundKind.Revoke ? Protocol.Internal.V1.StoreRefundKind.Revoke : Protocol.Internal.V1.StoreRefundKind.Refund,
            RefundedAtUnixMs = refund.At.ToUnixTimeMilliseconds(),
            SourceId = refund.SourceId,
        };
        var envelope = new MessageEnvelope
        {
            MessageType = MessageTypes.PaymentsStoreRefund,
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = refund.SourceId,
            DeploymentVersion = serverOptions.Value.DeploymentVersion,
            SentAt = timeProvider.GetUtcNow(),
            Payload = notice.ToByteArray(),
        };
        await transport.SendAsync(queueNames.ForMessageType(MessageTypes.PaymentsStoreRefund), EnvelopeCodec.Encode(envelope), cancellationToken);
    }
}
