using System.Collections.Concurrent;
using MetaServer.Messaging;

namespace MetaServer.Frontend;

/// <summary>How a wait for a reply ended.</summary>
public enum ReplyStatus
{
    Replied,
    TimedOut,
    Cancelled,
}

/// <summary>The end of a wait: the reply, or why there is none.</summary>
public readonly record struct ReplyOutcome(ReplyStatus Status, MessageEnvelope? Reply);

/// <summary>
/// Requests of this frontend instance waiting for their reply, by correlation id. A reply that finds no
/// waiter (it came after the timeout, or twice) is reported as unmatched so the caller can log and drop it.
/// </summary>
public sealed class PendingReplies
{
    private readonly ConcurrentDictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    public PendingReplies(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>Requests still waiting.</summary>
    public int Count => _waiters.Count;

    /// <summary>
    /// Starts waiting for the reply with <paramref name="correlationId"/>. The task ends with the reply, with
    /// <see cref="ReplyStatus.TimedOut"/> once <paramref name="timeout"/> passes, or with
    /// <see cref="ReplyStatus.Cancelled"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task<ReplyOutcome> Register(string correlationId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(correlationId);
        var waiter = new Waiter(this, correlationId);
        if (!_waiters.TryAdd(correlationId, waiter))
        {
            throw new InvalidOperationException($"Correlation id '{correlationId}' is already waiting.");
        }

        waiter.Start(_timeProvider, timeout, cancellationToken);
        return waiter.Task;
    }

    /// <summary>Hands a reply to its waiter. False when nobody waits for it (late or duplicate): drop it.</summary>
    public bool TryComplete(MessageEnvelope reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.CorrelationId is { } id
            && _waiters.TryGetValue(id, out var waiter)
            && waiter.TryFinish(new ReplyOutcome(ReplyStatus.Replied, reply));
    }

    /// <summary>Stops waiting for <paramref name="correlationId"/> (e.g. the request could not be sent).</summary>
    public void Cancel(string correlationId)
    {
        if (_waiters.TryGetValue(correlationId, out var waiter))
        {
            waiter.TryFinish(new ReplyOutcome(ReplyStatus.Cancelled, null));
        }
    }

    private sealed class Waiter(PendingReplies owner, string correlationId)
    {
        private readonly TaskCompletionSource<ReplyOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ITimer? _timer;
        private CancellationTokenRegistration _cancellation;

        public Task<ReplyOutcome> Task => _completion.Task;

        public void Start(TimeProvider timeProvider, TimeSpan timeout, CancellationToken cancellationToken)
        {
            _timer = timeProvider.CreateTimer(
                static state => ((Waiter)state!).TryFinish(new ReplyOutcome(ReplyStatus.TimedOut, null)),
                this,
                timeout,
                Timeout.InfiniteTimeSpan);
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.Register(
                    static state => ((Waiter)state!).TryFinish(new ReplyOutcome(ReplyStatus.Cancelled, null)),
                    this);
            }
        }

        public bool TryFinish(ReplyOutcome outcome)
        {
            // Remove first: whoever removes the entry owns the outcome, so a reply and a timeout never both win.
            if (!owner._waiters.TryRemove(new KeyValuePair<string, Waiter>(correlationId, this)))
            {
                return false;
            }

            _timer?.Dispose();
            _cancellation.Unregister();
            _completion.TrySetResult(outcome);
            return true;
        }
    }
}
