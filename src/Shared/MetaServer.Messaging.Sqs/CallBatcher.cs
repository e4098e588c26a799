namespace MetaServer.Messaging.Sqs;

/// <summary>Outcome of one item of a batch call: a value, or the error of that item alone.</summary>
internal readonly record struct BatchItemOutcome<TResult>(TResult? Value, Exception? Error);

/// <summary>
/// Coalesces single calls into batch calls of up to <c>maxBatchSize</c> items (and <c>maxBatchWeight</c>), with
/// at most <c>maxConcurrentCalls</c> calls in flight. Each caller gets its own item's outcome.
/// <para>
/// Pacing (<c>linger</c> &gt; 0): a batch that is not full goes out at once only if no call of this batcher went out
/// within the last <c>linger</c>; otherwise it waits until <c>linger</c> has passed since that call, gathering
/// whatever arrives meanwhile. So an item on an idle batcher leaves at once (no added latency when idle), an item
/// under traffic waits at most <c>linger</c>, full batches never wait, and partial calls are at most one per
/// <c>linger</c> (at R items/s that is about R × <c>linger</c> items per call, up to the batch limits). With
/// <c>linger</c> zero, items only gather while <c>maxConcurrentCalls</c> calls are in flight.
/// </para>
/// </summary>
internal sealed class CallBatcher<TItem, TResult> : IAsyncDisposable
{
    public delegate Task<IReadOnlyList<BatchItemOutcome<TResult>>> BatchCall(IReadOnlyList<TItem> items, CancellationToken cancellationToken);

    private readonly BatchCall _call;
    private readonly int _maxBatchSize;
    private readonly int _maxConcurrentCalls;
    private readonly Func<TItem, long> _weight;
    private readonly long _maxBatchWeight;
    private readonly TimeSpan _linger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _pending = new();
    private TaskCompletionSource? _drained;
    private ITimer? _timer;
    private bool _timerArmed;
    private long? _lastDispatch;
    private long _callCount;
    private int _inFlight;
    private bool _disposed;

    public CallBatcher(
        BatchCall call,
        int maxBatchSize,
        int maxConcurrentCalls,
        Func<TItem, long>? weight = null,
        long maxBatchWeight = long.MaxValue,
        TimeSpan linger = default,
        TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(linger, TimeSpan.Zero);
        _call = call;
        _maxBatchSize = maxBatchSize;
        _maxConcurrentCalls = maxConcurrentCalls;
        _weight = weight ?? (_ => 0);
        _maxBatchWeight = maxBatchWeight;
        _linger = linger;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Batch calls dispatched so far (counted when the batch is taken; for tests and diagnostics).</summary>
    public long CallCount => Interlocked.Read(ref _callCount);

    public Task<TResult> EnqueueAsync(TItem item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(item);
        List<List<Pending>> batches;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pending.Enqueue(pending);
            batches = TakeBatchesLocked();
        }

        Start(batches);
        if (cancellationToken.CanBeCanceled && !pending.Completion.Task.IsCompleted)
        {
            // A caller that gives up before its item left stays out of the batch; once sent, the call runs to its end.
            var registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    if (pending.Taken)
                    {
                        return;
                    }

                    pending.Cancelled = true;
                }

                pending.Completion.TrySetCanceled(cancellationToken);
            });
            _ = pending.Completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private List<List<Pending>> TakeBatchesLocked()
    {
        var batches = new List<List<Pending>>();
        while (_inFlight < _maxConcurrentCalls)
        {
            while (_pending.TryPeek(out var head) && head.Cancelled)
            {
                _pending.Dequeue();
            }

            if (_pending.Count == 0)
            {
                break;
            }

            // Pacing: a partial batch waits until `linger` has passed since the last call (a closing batcher flushes).
            if (!_disposed && _linger > TimeSpan.Zero && _lastDispatch is { } last && !HasFullBatchLocked())
            {
                var elapsed = _time.GetElapsedTime(last);
                if (elapsed < _linger)
                {
                    ArmTimerLocked(_linger - elapsed);
                    break;
                }
            }

            var batch = TakeBatchLocked();
            if (batch.Count == 0)
            {
                break;
            }

            _inFlight++;
            _lastDispatch = _time.GetTimestamp();
            Interlocked.Increment(ref _callCount);
            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>Whether the items waiting fill a batch (by count or by weight).</summary>
    private bool HasFullBatchLocked()
    {
        var count = 0;
        long weight = 0;
        foreach (var next in _pending)
        {
            if (next.Cancelled)
            {
                continue;
            }

            var w = _weight(next.Item);
            if (count > 0 && weight + w > _maxBatchWeight)
            {
                return true;
            }

            count++;
            weight += w;
            if (count >= _maxBatchSize)
            {
                return true;
            }
        }

        return false;
    }

    private List<Pending> TakeBatchLocked()
    {
        var batch = new List<Pending>();
        long weight = 0;
        while (batch.Count < _maxBatchSize && _pending.TryPeek(out var next))
        {
            if (next.Cancelled)
            {
                _pending.Dequeue();
                continue;
            }

            var w = _weight(next.Item);
            if (batch.Count > 0 && weight + w > _maxBatchWeight)
            {
                break;
            }

            _pending.Dequeue();
            next.Taken = true;
            weight += w;
            batch.Add(next);
        }

        return batch;
    }

    private void ArmTimerLocked(TimeSpan due)
    {
        // The due time only moves later as calls go out, so an armed timer is never too late; if it fires early
        // the batches are looked at again and it is re-armed.
        if (_timerArmed)
        {
            return;
        }

        _timer ??= _time.CreateTimer(static state => ((CallBatcher<TItem, TResult>)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timerArmed = true;
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        List<List<Pending>> batches;
        lock (_gate)
        {
            _timerArmed = false;
            batches = TakeBatchesLocked();
        }

        Start(batches);
    }

    private void Start(List<List<Pending>> batches)
    {
        foreach (var batch in batches)
        {
            _ = RunAsync(batch);
        }
    }

    private async Task RunAsync(List<Pending> batch)
    {
        await Task.Yield();
        try
        {
            var outcomes = await _call(batch.Select(p => p.Item).ToList(), CancellationToken.None);
            for (var i = 0; i < batch.Count; i++)
            {
                var outcome = i < outcomes.Count ? outcomes[i] : new BatchItemOutcome<TResult>(default, new InvalidOperationException("The batch call returned no outcome for this item."));
                if (outcome.Error is { } error)
                {
                    batch[i].Completion.TrySetException(error);
                }
                else
                {
                    batch[i].Completion.TrySetResult(outcome.Value!);
                }
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }
        }
        finally
        {
            List<List<Pending>> next;
            lock (_gate)
            {
                _inFlight--;
                next = TakeBatchesLocked();
                if (_disposed && _inFlight == 0)
                {
                    _drained?.TrySetResult();
                }
            }

            Start(next);
        }
    }

    /// <summary>Stops taking items, sends everything already queued at once (no pacing) and waits until it is done.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? drained = null;
        List<List<Pending>> batches;
        lock (_gate)
        {
            _disposed = true;
            batches = TakeBatchesLocked();
            if (_inFlight > 0)
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drained.Task;
            }
        }

        Start(batches);
        if (drained is not null)
        {
            await drained;
        }

        ITimer? timer;
        lock (_gate)
        {
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Taken { get; set; }

        public bool Cancelled { get; set; }
    }
}
