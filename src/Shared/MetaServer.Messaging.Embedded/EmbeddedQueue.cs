using System.Globalization;
using System.Security.Cryptography;

namespace MetaServer.Messaging.Embedded;

/// <summary>
/// One queue of the <see cref="EmbeddedTransport"/>. Messages live in exactly one of two sets:
/// visible (a FIFO list; best-effort order like SQS standard queues) or in flight (ordered by the
/// moment they become visible again). A second ordered set tracks retention. Every operation is
/// O(log n) at most; in-flight messages whose visibility lapsed are moved back lazily by the next
/// operation, and long-poll waiters sleep on a timer set to the earlier of their deadline and the
/// next visibility lapse, so nothing polls.
/// </summary>
internal sealed class EmbeddedQueue
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Func<string, EmbeddedQueue?> _findQueue;
    private readonly string _handlePrefix;
    private readonly Dictionary<long, StoredMessage> _messages = [];
    private readonly LinkedList<StoredMessage> _visible = new();
    private readonly SortedSet<StoredMessage> _inFlight = new(VisibleAtComparer.Instance);
    private readonly SortedSet<StoredMessage> _byExpiry = new(ExpiryComparer.Instance);
    private readonly LinkedList<Waiter> _waiters = new();
    private long _nextSequence = 1;
    private bool _deleted;
    private QueueSettings _settings;

    public EmbeddedQueue(string name, QueueSettings settings, TimeProvider time, Func<string, EmbeddedQueue?> findQueue)
    {
        Name = name;
        _settings = settings;
        _time = time;
        _findQueue = findQueue;

        // A random prefix per queue incarnation: handles of another queue, or of a deleted and
        // re-created queue of the same name, are recognised as invalid.
        _handlePrefix = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
    }

    public string Name { get; }

    /// <summary>Current settings; replaced whole (a reference write) when the queue is created again with other settings.</summary>
    public QueueSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }

    private long Now => _time.GetUtcNow().UtcTicks;

    public string Send(byte[] body)
    {
        lock (_gate)
        {
            ThrowIfDeleted();
            var message = AddLocked(Guid.NewGuid().ToString(), body, _time.GetUtcNow(), receiveCount: 0);
            WakeLocked(1);
            return message.MessageId;
        }
    }

    public string[] SendMany(List<byte[]> bodies)
    {
        var ids = new string[bodies.Count];
        lock (_gate)
        {
            ThrowIfDeleted();
            var sentAt = _time.GetUtcNow();
            for (var i = 0; i < bodies.Count; i++)
            {
                ids[i] = AddLocked(Guid.NewGuid().ToString(), bodies[i], sentAt, receiveCount: 0).MessageId;
            }

            WakeLocked(bodies.Count);
        }

        return ids;
    }

    /// <summary>Takes messages moved from a source queue by its redrive policy. They keep their id, send time and receive count.</summary>
    private void AcceptDeadLetters(List<StoredMessage> moved)
    {
        lock (_gate)
        {
            if (_deleted)
            {
                return;
            }

            var now = Now;
            var added = 0;
            foreach (var source in moved)
            {
                if (source.SentAt.UtcTicks + Settings.MessageRetention.Ticks > now)
                {
                    AddLocked(source.MessageId, source.Body, source.SentAt, source.ReceiveCount);
                    added++;
                }
            }

            WakeLocked(added);
        }
    }

    public async ValueTask<IReadOnlyList<ReceivedMessage>> ReceiveAsync(int maxMessages, TimeSpan visibility, TimeSpan waitTime, CancellationToken cancellationToken)
    {
        var deadline = Now + waitTime.Ticks;
        while (true)
        {
            List<StoredMessage>? deadLetters = null;
            List<ReceivedMessage> received;
            Waiter? waiter = null;
            lock (_gate)
            {
                ThrowIfDeleted();
                var now = Now;
                received = TakeLocked(maxMessages, visibility, now, ref deadLetters);
                if (received.Count == 0 && now < deadline)
                {
                    var wakeAt = deadline;
                    if (_inFlight.Min is { } next && next.VisibleAt < wakeAt)
                    {
                        wakeAt = next.VisibleAt;
                    }

                    // The timer is armed under the lock so a manual clock cannot move in between.
                    waiter = new Waiter(TimeSpan.FromTicks(wakeAt - now), _time);
                    waiter.Node = _waiters.AddLast(waiter);
                }
            }

            if (deadLetters is not null)
            {
                MoveToDeadLetterQueue(deadLetters);
            }

            if (waiter is null)
            {
                return received;
            }

            try
            {
                await waiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    RemoveWaiterLocked(waiter);

                    // This waiter may have been picked to take newly visible messages; pass the turn on.
                    if (!_deleted && _visible.Count > 0)
                    {
                        WakeLocked(1);
                    }
                }

                throw;
            }

            lock (_gate)
            {
                RemoveWaiterLocked(waiter);
            }
        }
    }

    public void Delete(string receiptHandle)
    {
        lock (_gate)
        {
            ThrowIfDeleted();
            var (sequence, receiveNumber) = ParseHandleLocked(receiptHandle);
            if (!_messages.TryGetValue(sequence, out var message) || message.ReceiveCount != receiveNumber)
            {
                // Already deleted, expired, moved to the dead-letter queue, or received again since
                // this handle was issued: as in SQS, the call succeeds and deletes nothing.
                return;
            }

            RemoveLocked(message);
        }
    }

    public void ChangeVisibility(string receiptHandle, TimeSpan visibilityTimeout)
    {
        lock (_gate)
        {
            ThrowIfDeleted();
            var (sequence, receiveNumber) = ParseHandleLocked(receiptHandle);
            var now = Now;
            PromoteLocked(now);
            PurgeExpiredLocked(now);
            if (!_messages.TryGetValue(sequence, out var message)
                || message.ReceiveCount != receiveNumber
                || message.State != MessageState.InFlight)
            {
                throw new TransportException(
                    TransportErrorCodes.MessageNotInflight,
                    $"The message of this receipt handle is not in flight on queue '{Name}'.");
            }

            _inFlight.Remove(message);
            if (visibilityTimeout == TimeSpan.Zero)
            {
                MakeVisibleLocked(message);
                WakeLocked(1);
            }
            else
            {
                AddInFlightLocked(message, now + visibilityTimeout.Ticks);
            }
        }
    }

    public QueueCounts GetCounts()
    {
        lock (_gate)
        {
            ThrowIfDeleted();
            var now = Now;
            PromoteLocked(now);
            PurgeExpiredLocked(now);
            if (_visible.Count > 0)
            {
                WakeLocked(_visible.Count);
            }

            return new QueueCounts(_visible.Count, _inFlight.Count);
        }
    }

    public void MarkDeleted()
    {
        lock (_gate)
        {
            _deleted = true;
            _messages.Clear();
            _visible.Clear();
            _inFlight.Clear();
            _byExpiry.Clear();
            WakeLocked(int.MaxValue);
        }
    }

    private List<ReceivedMessage> TakeLocked(int maxMessages, TimeSpan visibility, long now, ref List<StoredMessage>? deadLetters)
    {
        PromoteLocked(now);
        PurgeExpiredLocked(now);
        var received = new List<ReceivedMessage>(Math.Min(maxMessages, _visible.Count));
        var redrive = Settings.Redrive;
        while (received.Count < maxMessages && _visible.First is { } node)
        {
            var message = node.Value;
            _visible.RemoveFirst();
            if (redrive is not null && message.ReceiveCount >= redrive.MaxReceiveCount && _findQueue(redrive.DeadLetterQueueName) is not null)
            {
                // The next receive would exceed the max receive count: move it instead, as SQS does.
                _messages.Remove(message.Sequence);
                _byExpiry.Remove(message);
                message.State = MessageState.Removed;
                (deadLetters ??= []).Add(message);
                continue;
            }

            message.ReceiveCount++;
            AddInFlightLocked(message, now + visibility.Ticks);
            received.Add(new ReceivedMessage(
                message.MessageId,
                string.Create(CultureInfo.InvariantCulture, $"{_handlePrefix}-{message.Sequence:x}-{message.ReceiveCount:x}"),
                message.Body,
                message.ReceiveCount,
                message.SentAt));
        }

        if (_visible.Count > 0)
        {
            // Others may be waiting for what this receive left behind.
            WakeLocked(1);
        }

        return received;
    }

    private void MoveToDeadLetterQueue(List<StoredMessage> deadLetters)
    {
        if (Settings.Redrive is { } redrive && _findQueue(redrive.DeadLetterQueueName) is { } deadLetterQueue)
        {
            deadLetterQueue.AcceptDeadLetters(deadLetters);
        }
    }

    private StoredMessage AddLocked(string messageId, byte[] body, DateTimeOffset sentAt, int receiveCount)
    {
        var message = new StoredMessage(_nextSequence++, messageId, body, sentAt, sentAt.UtcTicks + Settings.MessageRetention.Ticks)
        {
            ReceiveCount = receiveCount,
        };
        _messages.Add(message.Sequence, message);
        _byExpiry.Add(message);
        MakeVisibleLocked(message);
        return message;
    }

    private void AddInFlightLocked(StoredMessage message, long visibleAt)
    {
        message.State = MessageState.InFlight;
        message.VisibleAt = visibleAt;
        _inFlight.Add(message);
        if (_waiters.First is not null && ReferenceEquals(_inFlight.Min, message))
        {
            // Waiters sleep until the earliest visibility lapse they knew of; this one is earlier.
            WakeLocked(int.MaxValue);
        }
    }

    private void MakeVisibleLocked(StoredMessage message)
    {
        message.State = MessageState.Visible;
        _visible.AddLast(message.VisibleNode);
    }

    private void RemoveLocked(StoredMessage message)
    {
        if (message.State == MessageState.Visible)
        {
            _visible.Remove(message.VisibleNode);
        }
        else if (message.State == MessageState.InFlight)
        {
            _inFlight.Remove(message);
        }

        _messages.Remove(message.Sequence);
        _byExpiry.Remove(message);
        message.State = MessageState.Removed;
    }

    /// <summary>Makes in-flight messages whose visibility timeout has lapsed visible again.</summary>
    private void PromoteLocked(long now)
    {
        while (_inFlight.Min is { } message && message.VisibleAt <= now)
        {
            _inFlight.Remove(message);
            MakeVisibleLocked(message);
        }
    }

    /// <summary>Drops messages older than the queue's retention period.</summary>
    private void PurgeExpiredLocked(long now)
    {
        while (_byExpiry.Min is { } message && message.ExpiresAt <= now)
        {
            RemoveLocked(message);
        }
    }

    private void WakeLocked(int count)
    {
        while (count-- > 0 && _waiters.First is { } node)
        {
            RemoveWaiterLocked(node.Value);
            node.Value.Signal();
        }
    }

    private void RemoveWaiterLocked(Waiter waiter)
    {
        if (waiter.Node is { List: not null } node)
        {
            _waiters.Remove(node);
        }
    }

    private (long Sequence, int ReceiveNumber) ParseHandleLocked(string receiptHandle)
    {
        var parts = receiptHandle.Split('-');
        if (parts.Length == 3
            && string.Equals(parts[0], _handlePrefix, StringComparison.Ordinal)
            && long.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sequence)
            && int.TryParse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var receiveNumber)
            && sequence > 0 && sequence < _nextSequence && receiveNumber > 0
            && (!_messages.TryGetValue(sequence, out var message) || receiveNumber <= message.ReceiveCount))
        {
            return (sequence, receiveNumber);
        }

        throw new TransportException(TransportErrorCodes.ReceiptHandleIsInvalid, $"The receipt handle is not valid for queue '{Name}'.");
    }

    private void ThrowIfDeleted()
    {
        if (_deleted)
        {
            throw new QueueDoesNotExistException(Name);
        }
    }

    private enum MessageState
    {
        Visible,
        InFlight,
        Removed,
    }

    private sealed class StoredMessage
    {
        public StoredMessage(long sequence, string messageId, byte[] body, DateTimeOffset sentAt, long expiresAt)
        {
            Sequence = sequence;
            MessageId = messageId;
            Body = body;
            SentAt = sentAt;
            ExpiresAt = expiresAt;
            VisibleNode = new LinkedListNode<StoredMessage>(this);
        }

        public long Sequence { get; }

        public string MessageId { get; }

        public byte[] Body { get; }

        public DateTimeOffset SentAt { get; }

        /// <summary>UTC ticks at which retention drops the message.</summary>
        public long ExpiresAt { get; }

        public LinkedListNode<StoredMessage> VisibleNode { get; }

        public int ReceiveCount { get; set; }

        public MessageState State { get; set; }

        /// <summary>UTC ticks at which an in-flight message becomes visible again. Only changed while out of the in-flight set.</summary>
        public long VisibleAt { get; set; }
    }

    private sealed class VisibleAtComparer : IComparer<StoredMessage>
    {
        public static readonly VisibleAtComparer Instance = new();

        public int Compare(StoredMessage? x, StoredMessage? y)
        {
            var byTime = x!.VisibleAt.CompareTo(y!.VisibleAt);
            return byTime != 0 ? byTime : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private sealed class ExpiryComparer : IComparer<StoredMessage>
    {
        public static readonly ExpiryComparer Instance = new();

        public int Compare(StoredMessage? x, StoredMessage? y)
        {
            var byTime = x!.ExpiresAt.CompareTo(y!.ExpiresAt);
            return byTime != 0 ? byTime : x.Sequence.CompareTo(y.Sequence);
        }
    }

    /// <summary>A long-poll receive waiting for a message, its deadline or the next visibility lapse.</summary>
    private sealed class Waiter
    {
        private readonly TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ITimer _timer;

        public Waiter(TimeSpan delay, TimeProvider time) =>
            _timer = time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), _signal, delay, Timeout.InfiniteTimeSpan);

        public LinkedListNode<Waiter>? Node { get; set; }

        public void Signal() => _signal.TrySetResult();

        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var registration = cancellationToken.UnsafeRegister(
                    static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token),
                    _signal);
                await _signal.Task.ConfigureAwait(false);
            }
            finally
            {
                _timer.Dispose();
            }
        }
    }
}
