using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Frontend.Tests.Integration;

/// <summary>
/// A scripted accounts backend: reads the accounts request queues and answers AccountResult. A device id
/// starting with "silent" never gets an answer; <see cref="Hold"/> makes every answer wait for a signal.
/// </summary>
internal sealed class FakeAccounts : IAsyncDisposable
{
    private readonly IMessageTransport _transport;
    private readonly QueueNames _queueNames;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, string> _accountsByDevice = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];

    public FakeAccounts(IMessageTransport transport, QueueNames queueNames)
    {
        _transport = transport;
        _queueNames = queueNames;
    }

    /// <summary>Every request the backend received, in order.</summary>
    public Channel<MessageEnvelope> Received { get; } = Channel.CreateUnbounded<MessageEnvelope>();

    /// <summary>When set, answers wait until it completes.</summary>
    public TaskCompletionSource? Hold { get; set; }

    public async Task StartAsync()
    {
        foreach (var type in new[] { MessageTypes.AccountsLoginDevice, MessageTypes.AccountsGetAccount, MessageTypes.AccountsSetNickname })
        {
            var queue = _queueNames.ForMessageType(type);
            await _transport.CreateQueueAsync(queue, new QueueSettings());
            _loops.Add(Task.Run(() => ServeAsync(queue, _stop.Token)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    private async Task ServeAsync(string queue, CancellationToken cancellationToken)
    {
        var options = new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.FromSeconds(20) };
        try
        {
            while (true)
            {
                var messages = await _transport.ReceiveAsync(queue, options, cancellationToken);
                foreach (var message in messages)
                {
                    await _transport.DeleteAsync(queue, message.ReceiptHandle, cancellationToken);
                    var request = EnvelopeCodec.Decode(message.Body);
                    await Received.Writer.WriteAsync(request, cancellationToken);
                    _ = AnswerAsync(request, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Test over.
        }
    }

    private async Task AnswerAsync(MessageEnvelope request, CancellationToken cancellationToken)
    {
        if (request.MessageType == MessageTypes.AccountsSetNickname)
        {
            await AnswerRoutedAsync(request, cancellationToken);
            return;
        }

        AccountResult result;
        if (request.MessageType == MessageTypes.AccountsLoginDevice)
        {
            var deviceId = LoginDeviceCommand.Parser.ParseFrom(request.Payload.Span).DeviceId;
            if (deviceId.StartsWith("silent", StringComparison.Ordinal))
            {
                return;
            }

            var created = false;
            var accountId = _accountsByDevice.GetOrAdd(deviceId, _ =>
            {
                created = true;
                return "acc-" + Guid.NewGuid().ToString("N")[..8];
            });
            result = Ok(accountId, deviceId, created);
        }
        else
        {
            var accountId = GetAccountQuery.Parser.ParseFrom(request.Payload.Span).AccountId;
            var device = _accountsByDevice.FirstOrDefault(p => p.Value == accountId).Key;
            result = device is null
                ? new AccountResult { Result = new Result { Code = ResultCode.NotFound, Message = "no such account" } }
                : Ok(accountId, device, created: false);
        }

        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        await _transport.SendAsync(request.ReplyTo!, EnvelopeCodec.Encode(new MessageEnvelope
        {
            MessageType = MessageTypes.AccountsAccountResult,
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = request.CorrelationId,
            SessionId = request.SessionId,
            DeploymentVersion = request.DeploymentVersion,
            SentAt = DateTimeOffset.UnixEpoch,
            Payload = result.ToByteArray(),
        }), cancellationToken);
    }

    /// <summary>
    /// Answers a routed set-nickname request with a ClientReply: "taken" is refused, "garbage" gets a reply that is
    /// not a ClientReply, anything else is accepted and echoed in the snapshot of the request's player.
    /// </summary>
    private async Task AnswerRoutedAsync(MessageEnvelope request, CancellationToken cancellationToken)
    {
        var nickname = SetNicknameRequest.Parser.ParseFrom(request.Payload.Span).Nickname;
        var reply = nickname switch
        {
            "taken" => new Envelope { Result = new Result { Code = ResultCode.InvalidArgument, Message = "nickname taken" } },
            _ => new Envelope
            {
                Result = new Result { Code = ResultCode.Ok },
                Account = new AccountResponse { Account = new AccountSnapshot { AccountId = request.PlayerId ?? string.Empty, Nickname = nickname, Revision = 2 } },
            },
        };
        var messageType = nickname == "garbage" ? "accounts.something-else" : MessageTypes.FrontendClientReply;
        await _transport.SendAsync(request.ReplyTo!, EnvelopeCodec.Encode(new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = request.CorrelationId,
            SessionId = request.SessionId,
            PlayerId = request.PlayerId,
            DeploymentVersion = request.DeploymentVersion,
            SentAt = DateTimeOffset.UnixEpoch,
            Payload = new ClientReply { Envelope = reply }.ToByteArray(),
        }), cancellationToken);
    }

    private static AccountResult Ok(string accountId, string deviceId, bool created) => new()
    {
        Result = new Result { Code = ResultCode.Ok },
        Created = created,
        Account = new AccountSnapshot { AccountId = accountId, Nickname = "player", Revision = 1, DeviceIds = { deviceId } },
    };
}
