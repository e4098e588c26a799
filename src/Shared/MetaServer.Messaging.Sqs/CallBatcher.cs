namespace MetaServer.Messaging.Sqs;

/// <summary>Outcome of one item of a batch call: a value, or the error of that item alone.</summary>
internal readonly record struct BatchItemOutcome<TResult>(TResult? Value, Exception? Error);

/// <summary>
/// Coalesces single calls into batch calls without a linger timer: an item is dispatched at once while fewer
/// than <c>maxConcurrentCalls</c> batch calls are in flight; otherwise it waits, and when a call completes the
/// waiting items leave together in batches of up to <c>maxBatchSize</c> (and <c>maxBatchWeight</c>). Idle, a
/// call costs no added latency; under load, calls fill up. Each caller gets its own item's outcome.
/// </summary>
internal sealed class CallBatcher<TItem, TResult> : IAsyncDisposable
{
    public delegate Task<IReadOnlyList<BatchItemOutcome<TResult>>> BatchCall(IReadOnlyList<TItem> items, CancellationToken cancellationToken);

    private readonly BatchCall _call;
    private readonly int _maxBatchSize;
    private readonly int _maxConcurrentCalls;
    private readonly Func<TItem, long> _weight;
    private readonly long _maxBatchWeight;
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _pending = new();
    private TaskCompletionSource? _drained;
    private long _callCount;
    private int _inFlight;
    private bool _disposed;

    public CallBatcher(BatchCall call, int maxBatchSize, int maxConcurrentCalls, Func<TItem, long>? weight = null, long maxBatchWeight = long.MaxValue)
    {
        _call = call;
        _maxBatchSize = maxBatchSize;
        _maxConcurrentCalls = maxConcurrentCalls;
        _weight = weight ?? (_ => 0);
        _maxBatchWeight = maxBatchWeight;
    }

    /// <summary>Batch calls made so far (for tests and diagnostics).</summary>
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

            if (batch.Count == 0)
            {
                break;
            }

            _inFlight++;
            batches.Add(batch);
        }

        return batches;
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
        Interlocked.Increment(ref _callCount);
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

    /// <summary>Stops taking items and waits until everything already queued has been sent.</summary>
    public async ValueTask DisposeAsync()
    {
        Task drained;
        lock (_gate)
        {
            _disposed = true;
            if (_inFlight == 0)
            {
                return;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }

        await drained;
    }

    private sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Taken { get; set; }

        public bool Cancelled { get; set; }
    }
}
