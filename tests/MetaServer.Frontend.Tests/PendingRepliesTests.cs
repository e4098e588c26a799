using MetaServer.Messaging;
using MetaServer.Testing;

namespace MetaServer.Frontend.Tests;

public sealed class PendingRepliesTests
{
    private readonly ManualTimeProvider _clock = new();

    private static MessageEnvelope Reply(string correlationId) => new()
    {
        MessageType = "accounts.account-result",
        MessageId = Guid.NewGuid().ToString("N"),
        CorrelationId = correlationId,
        DeploymentVersion = "v1",
    };

    [Fact]
    public async Task TryComplete_MatchingCorrelation_CompletesWaiter()
    {
        var pending = new PendingReplies(_clock);
        var wait = pending.Register("c-1", TimeSpan.FromSeconds(10));
        var reply = Reply("c-1");

        Assert.True(pending.TryComplete(reply));

        var outcome = await wait.WithTimeout("reply");
        Assert.Equal(ReplyStatus.Replied, outcome.Status);
        Assert.Same(reply, outcome.Reply);
        Assert.Equal(0, pending.Count);
    }

    [Fact]
    public async Task TryComplete_OtherCorrelation_LeavesWaiterWaiting()
    {
        var pending = new PendingReplies(_clock);
        var wait = pending.Register("c-1", TimeSpan.FromSeconds(10));

        Assert.False(pending.TryComplete(Reply("c-2")));

        Assert.False(wait.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ReplyStatus.TimedOut, (await wait.WithTimeout("timeout")).Status);
    }

    [Fact]
    public async Task Register_NoReplyBeforeTimeout_TimesOut()
    {
        var pending = new PendingReplies(_clock);
        var wait = pending.Register("c-1", TimeSpan.FromSeconds(10));

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(wait.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var outcome = await wait.WithTimeout("timeout");
        Assert.Equal(ReplyStatus.TimedOut, outcome.Status);
        Assert.Null(outcome.Reply);
    }

    [Fact]
    public async Task TryComplete_AfterTimeout_LateReplyDropped()
    {
        var pending = new PendingReplies(_clock);
        var wait = pending.Register("c-1", TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromSeconds(10));
        await wait.WithTimeout("timeout");

        Assert.False(pending.TryComplete(Reply("c-1")));
        Assert.Equal(ReplyStatus.TimedOut, (await wait).Status);
    }

    [Fact]
    public void TryComplete_Twice_SecondIsDropped()
    {
        var pending = new PendingReplies(_clock);
        pending.Register("c-1", TimeSpan.FromSeconds(10));

        Assert.True(pending.TryComplete(Reply("c-1")));
        Assert.False(pending.TryComplete(Reply("c-1")));
    }

    [Fact]
    public async Task Register_TokenCancelled_Cancelled()
    {
        var pending = new PendingReplies(_clock);
        using var cts = new CancellationTokenSource();
        var wait = pending.Register("c-1", TimeSpan.FromSeconds(10), cts.Token);

        await cts.CancelAsync();

        Assert.Equal(ReplyStatus.Cancelled, (await wait.WithTimeout("cancel")).Status);
        Assert.Equal(0, pending.Count);
    }
}
