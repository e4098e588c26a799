using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.Frontend.Tests.Integration;

/// <summary>The frontend's part of matchmaking: routed matches requests and the disconnect notice.</summary>
public sealed class MatchesRoutingTests
{
    [Theory]
    [InlineData(nameof(Envelope.PayloadOneofCase.StartMatchmaking), MessageTypes.MatchesStartMatchmaking)]
    [InlineData(nameof(Envelope.PayloadOneofCase.CancelMatchmaking), MessageTypes.MatchesCancelMatchmaking)]
    [InlineData(nameof(Envelope.PayloadOneofCase.AcceptMatch), MessageTypes.MatchesAcceptMatch)]
    [InlineData(nameof(Envelope.PayloadOneofCase.GetMatchmakingStatus), MessageTypes.MatchesGetMatchmakingStatus)]
    [InlineData(nameof(Envelope.PayloadOneofCase.GetLeaderboard), MessageTypes.MatchesGetLeaderboard)]
    public void ClientRoutes_MatchesRequests_RoutedToMatches(string payload, string messageType)
    {
        Assert.Equal(messageType, ClientRoutes.MessageTypeOf(Enum.Parse<Envelope.PayloadOneofCase>(payload)));
    }

    [Fact]
    public async Task Close_AuthenticatedSession_SendsPlayerDisconnectedNotice()
    {
        await using var server = await FrontendServer.StartAsync();
        var transport = server.App.Services.GetRequiredService<IMessageTransport>();
        var queue = server.App.Services.GetRequiredService<QueueNames>().ForMessageType(MessageTypes.MatchesPlayerDisconnected);
        await transport.CreateQueueAsync(queue, new QueueSettings());
        var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var playerId = (await client.LoginAsync("device-disconnect-1")).Auth.Account.AccountId;

        await client.DisposeAsync();
        var received = await ReceiveOneAsync(transport, queue).WithTimeout("the disconnect notice");

        var envelope = EnvelopeCodec.Decode(received.Body);
        Assert.Equal(MessageTypes.MatchesPlayerDisconnected, envelope.MessageType);
        Assert.Null(envelope.ReplyTo);
        var notice = PlayerDisconnectedNotice.Parser.ParseFrom(envelope.Payload.Span);
        Assert.Equal(playerId, notice.AccountId);
        Assert.Equal(envelope.SessionId, notice.SessionId);
        Assert.False(string.IsNullOrEmpty(notice.SessionId));
    }

    private static async Task<ReceivedMessage> ReceiveOneAsync(IMessageTransport transport, string queue)
    {
        while (true)
        {
            var batch = await transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(5) });
            if (batch.Count > 0)
            {
                return batch[0];
            }
        }
    }
}
