using MetaServer.Accounts.Storage;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;

namespace MetaServer.Friends.Service;

/// <summary>
/// What the friends service needs of accounts: whether they exist and their <see cref="AccountSummary"/> (nickname,
/// level), for hundreds at once: the <see cref="IAccountSummaryCache"/> first (one batch), then the misses from the
/// accounts store (one batch), which are put back into the cache (a cache keeps the higher revision, so this never
/// replaces a newer summary).
/// </summary>
internal sealed partial class FriendAccounts(IAccountStore accounts, IAccountSummaryCache summaries, ILogger<FriendAccounts> logger)
{
    /// <summary>Whether the account exists (read from the accounts store, never from the cache alone).</summary>
    public async Task<bool> ExistsAsync(string accountId, CancellationToken cancellationToken) =>
        (await accounts.GetManyAsync([accountId], cancellationToken)).ContainsKey(accountId);

    /// <summary>The summaries of the accounts that exist among <paramref name="accountIds"/>.</summary>
    public async Task<IReadOnlyDictionary<string, AccountSummary>> SummariesAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, AccountSummary>(StringComparer.Ordinal);
        foreach (var chunk in accountIds.Distinct(StringComparer.Ordinal).Chunk(IAccountSummaryCache.MaxBatchSize))
        {
            var cached = await summaries.GetManyAsync(chunk, cancellationToken);
            foreach (var (id, summary) in cached)
            {
                found[id] = summary;
            }

            var misses = chunk.Where(id => !cached.ContainsKey(id)).ToList();
            if (misses.Count == 0)
            {
                continue;
            }

            var loaded = await accounts.GetManyAsync(misses, cancellationToken);
            foreach (var (id, account) in loaded)
            {
                var summary = new AccountSummary { AccountId = id, Revision = account.Revision, Nickname = account.Nickname, LastLoginAt = account.LastLoginAt };
                found[id] = summary;
                await CacheAsync(summary, cancellationToken);
            }
        }

        return found;
    }

    private async Task CacheAsync(AccountSummary summary, CancellationToken cancellationToken)
    {
        try
        {
            await summaries.SetAsync(summary, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A cache outage only costs a later store read.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCacheFailed(ex, summary.AccountId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Friends: could not cache the summary of account {AccountId}")]
    private partial void LogCacheFailed(Exception exception, string accountId);
}
