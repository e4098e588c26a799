namespace MetaServer.Accounts.Storage;

/// <summary>An optimistic-concurrency update kept losing to concurrent writers; the request should be retried later.</summary>
public sealed class AccountUpdateConflictException(string accountId, int attempts)
    : Exception($"Account '{accountId}' changed concurrently on each of {attempts} update attempts.")
{
    public string AccountId { get; } = accountId;

    public int Attempts { get; } = attempts;
}
