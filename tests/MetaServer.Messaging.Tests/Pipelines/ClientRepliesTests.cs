using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.Messaging.Tests.Pipelines;

public sealed class ClientRepliesTests
{
    private static readonly ManualTimeProvider Time = new(DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static IncomingMessage Request(string? replyTo = "v1-reply-fe-1") => new(
        new MessageEnvelope
        {
            MessageType = MessageTypes.AccountsSetNickname,
            MessageId = "m-1",
            CorrelationId = "c-1",
            ReplyTo = replyTo,
            PlayerId = "acc-1",
            SessionId = "s-1",
            DeploymentVersion = "v1",
            SentAt = Time.GetUtcNow(),
            Payload = Array.Empty<byte>(),
        },
        "v1-req-accounts.set-nickname",
        1);

    [Fact]
    public void Ok_WithResponse_SendsClientReplyWithOkResultToReplyQueue()
    {
        var response = new Envelope { RequestId = 42, Account = new AccountResponse { Account = new AccountSnapshot { AccountId = "acc-1", Nickname = "Ace" } } };

        var outgoing = Assert.Single(ClientReplies.Ok(Request(), response, Time));

        Assert.Equal("v1-reply-fe-1", outgoing.QueueName);
        Assert.Equal(MessageTypes.FrontendClientReply, outgoing.Envelope.MessageType);
        Assert.Equal("c-1", outgoing.Envelope.CorrelationId);
        Assert.Equal("acc-1", outgoing.Envelope.PlayerId);
        var reply = ClientReply.Parser.ParseFrom(outgoing.Envelope.Payload.Span).Envelope;
        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal(0UL, reply.RequestId);
        Assert.Equal("Ace", reply.Account.Account.Nickname);
        Assert.Equal(42UL, response.RequestId);
    }

    [Fact]
    public void Error_WithCode_SendsResultOnly()
    {
        var outgoing = Assert.Single(ClientReplies.Error(Request(), ResultCode.InvalidArgument, "The nickname is too short.", Time));

        var reply = ClientReply.Parser.ParseFrom(outgoing.Envelope.Payload.Span).Envelope;
        Assert.Equal(ResultCode.InvalidArgument, reply.Result.Code);
        Assert.Equal("The nickname is too short.", reply.Result.Message);
        Assert.Equal(Envelope.PayloadOneofCase.None, reply.PayloadCase);
    }

    [Fact]
    public void Error_WithOkCode_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClientReplies.Error(Request(), ResultCode.Ok, "fine", Time));
    }

    [Fact]
    public void To_ReplyWithoutResult_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClientReplies.To(Request(), new Envelope(), Time));
    }

    [Fact]
    public void Ok_RequestWithoutReplyTo_SendsNothing()
    {
        Assert.Empty(ClientReplies.Ok(Request(replyTo: null), new Envelope(), Time));
    }
}
