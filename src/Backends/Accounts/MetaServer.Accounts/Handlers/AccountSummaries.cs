using MetaServer.Accounts.Domain;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Handlers;

/// <summary>The write-through of a stored account's <see cref="AccountSummary"/> to the optional <see cref="IAccountSummaryCache"/>.</summary>
internal static partial class AccountSummaries
{
    public static AccountSummary Of(Account account) =>
        new() { AccountId = account.AccountId, Revision = account.Revision, Nickname = account.Nickname, LastLoginAt = account.LastLoginAt };

    /// <summary>
    /// Caches the summary of <paramref name="stored"/> (no-op without a cache). The change is already stored, so a cache
    /// failure is logged and never fails the request; readers may see a stale summary until it expires.
    /// </summary>
    public static async ValueTask WriteThroughAsync(IAccountSummaryCache? cache, Account stored, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (cache is null)
        {
            return;
        }

        try
        {
            await cache.SetAsync(Of(stored), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The change is stored; a cache outage must not fail it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSummaryCacheFailed(logger, ex, stored.AccountId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not cache the summary of account {AccountId}; readers may see a stale one until it expires")]
    private static partial void LogSummaryCacheFailed(ILogger logger, Exception exception, string accountId);
}
