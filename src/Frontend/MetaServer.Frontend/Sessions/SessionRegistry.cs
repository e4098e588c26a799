namespace MetaServer.Frontend;

/// <summary>The live sessions of this instance, for event routing and draining.</summary>
internal sealed class SessionRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FrontendSession> _sessions = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drainStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _draining;

    public bool IsDraining
    {
        get
        {
            lock (_gate)
            {
                return _draining;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Completes when draining starts (readiness is 503 from then on).</summary>
    public Task DrainStarted => _drainStarted.Task;

    /// <summary>Completes once draining has started and every session is gone.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Adds a session; false while draining (the session must close at once).</summary>
    public bool TryAdd(FrontendSession session)
    {
        lock (_gate)
        {
            if (_draining)
            {
                return false;
            }

            _sessions.Add(session.Id, session);
            return true;
        }
    }

    public void Remove(FrontendSession session)
    {
        lock (_gate)
        {
            _sessions.Remove(session.Id);
            if (_draining && _sessions.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    public FrontendSession? Find(string sessionId)
    {
        lock (_gate)
        {
            return _sessions.GetValueOrDefault(sessionId);
        }
    }

    /// <summary>Stops taking sessions and asks every live one to finish. Idempotent; returns the number of live sessions.</summary>
    public int BeginDrain()
    {
        FrontendSession[] live;
        lock (_gate)
        {
            if (_draining)
            {
                return _sessions.Count;
            }

            _draining = true;
            _drainStarted.TrySetResult();
            live = [.. _sessions.Values];
            if (live.Length == 0)
            {
                _drained.TrySetResult();
            }
        }

        foreach (var session in live)
        {
            session.BeginDrain();
        }

        return live.Length;
    }

    /// <summary>Aborts every live session (drain took too long). Returns how many there were.</summary>
    public int AbortAll()
    {
        FrontendSession[] live;
        lock (_gate)
        {
            live = [.. _sessions.Values];
        }

        foreach (var session in live)
        {
            session.Abort();
        }

        return live.Length;
    }
}
