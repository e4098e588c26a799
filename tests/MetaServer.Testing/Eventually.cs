namespace MetaServer.Testing;

/// <summary>Waiting helpers for tests: wait on a signal with a generous upper bound, never a fixed sleep.</summary>
public static class Eventually
{
    /// <summary>Upper bound for any single wait in a test; a wait that reaches it fails the test.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Awaits a task, failing the test with <paramref name="what"/> if it does not complete in time.</summary>
    public static async Task<T> WithTimeout<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            return await task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new Xunit.Sdk.XunitException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds} s waiting for: {what}");
        }
    }

    public static async Task WithTimeout(this Task task, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            await task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new Xunit.Sdk.XunitException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds} s waiting for: {what}");
        }
    }
}
