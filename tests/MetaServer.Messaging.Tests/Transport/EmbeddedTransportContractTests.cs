using MetaServer.Messaging.Embedded;

namespace MetaServer.Messaging.Tests.Transport;

/// <summary>The transport contract, run on the embedded transport in real time.</summary>
public sealed class EmbeddedTransportContractTests : TransportContractTests
{
    protected override ValueTask<IMessageTransport> CreateTransportAsync() =>
        ValueTask.FromResult<IMessageTransport>(new EmbeddedTransport(TimeProvider.System));
}
