using MetaServer.Messaging.Sqs;
using MetaServer.Messaging.Tests.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Messaging.Tests.Sqs;

/// <summary>The transport contract, run on <see cref="SqsTransport"/> against the fauxqs stand-in.</summary>
public sealed class SqsTransportContractTests(FauxqsFixture fauxqs) : TransportContractTests, IClassFixture<FauxqsFixture>
{
    protected override ValueTask<IMessageTransport> CreateTransportAsync() =>
        ValueTask.FromResult<IMessageTransport>(new SqsTransport(fauxqs.CreateClient(), fauxqs.Options(), TimeProvider.System, NullLogger<SqsTransport>.Instance));
}

/// <summary>The same contract with batching off: every send and delete is its own call.</summary>
public sealed class SqsTransportUnbatchedContractTests(FauxqsFixture fauxqs) : TransportContractTests, IClassFixture<FauxqsFixture>
{
    protected override ValueTask<IMessageTransport> CreateTransportAsync()
    {
        var options = fauxqs.Options(o => o.BatchingEnabled = false);
        return ValueTask.FromResult<IMessageTransport>(new SqsTransport(fauxqs.CreateClient(options), options, TimeProvider.System, NullLogger<SqsTransport>.Instance));
    }
}
