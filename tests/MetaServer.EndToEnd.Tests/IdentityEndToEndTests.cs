using System.Net.WebSockets;
using Google.Protobuf;
using MetaServer.Client;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.EndToEnd.Tests;

/// <summary>Identity and bans through the all-in-one host: real client, frontend, queues, accounts service, SQLite.</summary>
public sealed class IdentityEndToEndTests
{
    [Fact]
    public async Task CustomLoginLinkDeviceThenBan_DeviceLoginSameAccountLiveSessionClosedAndLoginRefused()
    {
        await using var host = await AllInOneHost.StartAsync();
        AuthResponse login;
        AccountResponse linked;
        await using (var first = await host.ConnectAsync())
        {
            login = await first.LoginCustomAsync("e2e-custom-1").WithTimeout("custom login");
            linked = await first.LinkAsync(new LinkRequest { DeviceId = "e2e-phone-1" }).WithTimeout("link device");
        }

        // The player's live session: logged in with the linked device.
        await using var player = await host.ConnectAsync();
        var viaDevice = await player.LoginDeviceAsync("e2e-phone-1").WithTimeout("device login");

        // Operator tooling bans the account through the accounts queue while the player is online.
        var ban = await SendOperatorCommandAsync(host, MessageTypes.AccountsBanAccount, new BanAccountCommand
        {
            AccountId = login.Account.AccountId,
            Reason = "cheating",
            Operator = "e2e-ops",
            RequestId = "e2e-ban-1",
        });
        await player.Completion.WithTimeout("the banned session to be closed");

        await using var again = await host.ConnectAsync();
        var refused = await Assert.ThrowsAsync<MetaServerRequestException>(() => again.LoginCustomAsync("e2e-custom-1")).WithTimeout("refused login");

        Assert.True(login.Created);
        Assert.Equal(["e2e-phone-1"], linked.Account.DeviceIds);
        Assert.Equal(login.Account.AccountId, viaDevice.Account.AccountId);
        Assert.False(viaDevice.Created);
        Assert.Equal(ResultCode.Ok, ban.Result.Code);
        Assert.Equal(ResultCode.AccountBanned, player.LastDisconnect?.Code);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, player.CloseStatus);
        Assert.Equal(ResultCode.AccountBanned, refused.Code);
        Assert.Contains("cheating", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Sends an internal command to its request queue and waits for the AccountResult on a reply queue of its own.</summary>
    private static async Task<AccountResult> SendOperatorCommandAsync(AllInOneHost host, string messageType, IMessage command)
    {
        var transport = host.Services.GetRequiredService<IMessageTransport>();
        var names = host.Services.GetRequiredService<QueueNames>();
        var replyQueue = names.ReplyQueue("e2e-operator-" + Guid.NewGuid().ToString("N")[..8]);
        await transport.CreateQueueAsync(replyQueue, new QueueSettings());
        try
        {
            await transport.SendAsync(names.ForMessageType(messageType), EnvelopeCodec.Encode(new MessageEnvelope
            {
                MessageType = messageType,
                MessageId = Guid.NewGuid().ToString("N"),
                CorrelationId = "operator-1",
                ReplyTo = replyQueue,
                DeploymentVersion = names.Prefix,
                SentAt = TimeProvider.System.GetUtcNow(),
                Payload = command.ToByteArray(),
            }));
            using var deadline = new CancellationTokenSource(Eventually.DefaultTimeout);
            var received = await ReceiveOneAsync(transport, replyQueue, deadline.Token).WithTimeout("the operator command's reply");
            return AccountResult.Parser.ParseFrom(EnvelopeCodec.Decode(received.Body).Payload.Span);
        }
        finally
        {
            await transport.DeleteQueueAsync(replyQueue);
        }
    }

    private static async Task<ReceivedMessage> ReceiveOneAsync(IMessageTransport transport, string queue, CancellationToken cancellationToken)
    {
        while (true)
        {
            var messages = await transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(1) }, cancellationToken);
            if (messages.Count > 0)
            {
                return messages[0];
            }
        }
    }
}
