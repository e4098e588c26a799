namespace MetaServer.Storage;

/// <summary>
/// A write-through cache of <see cref="AccountSummary"/> records keyed by account id. The owner of the account
/// (the accounts service) writes a summary after every stored change; readers fetch hundreds at once. Entries
/// expire a fixed time after their last write (<see cref="StorageOptions.AccountSummaryTtl"/>), which bounds how
/// stale a summary can be when a write is lost. A miss means "ask the accounts service", never "no such account".
/// </summary>
public interface IAccountSummaryCache
{
    /// <summary>Most ids one <see cref="GetManyAsync"/> takes.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>The cached summaries of the given ids (up to <see cref="MaxBatchSize"/>) in one round trip; misses are absent from the result.</summary>
    ValueTask<IReadOnlyDictionary<string, AccountSummary>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default);

    /// <summary>One cached summary, or null.</summary>
    ValueTask<AccountSummary?> GetAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Caches the summary for the configured time to live, atomically unless a summary with a higher revision is
    /// cached (an equal revision is written again and its time to live restarts). Returns false when a newer
    /// summary was kept.
    /// </summary>
    ValueTask<bool> SetAsync(AccountSummary summary, CancellationToken cancellationToken = default);

    /// <summary>Drops the cached summary, if any.</summary>
    ValueTask RemoveAsync(string accountId, CancellationToken cancellationToken = default);
}

/// <summary>Argument checks shared by the cache implementations.</summary>
public static class AccountSummaryArguments
{
    public static void Validate(AccountSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        StorageIds.Validate(summary.AccountId, nameof(summary));
        ArgumentNullException.ThrowIfNull(summary.Nickname, nameof(summary));
        if (summary.Revision < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(summary), summary.Revision, "A summary revision is 1 or more.");
        }
    }

    public static void ValidateBatch(IReadOnlyCollection<string> accountIds)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        if (accountIds.Count > IAccountSummaryCache.MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(accountIds), accountIds.Count, $"At most {IAccountSummaryCache.MaxBatchSize} ids per batch.");
        }

        foreach (var id in accountIds)
        {
            StorageIds.Validate(id, nameof(accountIds));
        }
    }
}
