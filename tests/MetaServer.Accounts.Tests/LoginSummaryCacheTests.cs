using MetaServer.Protocol.V1;
using MetaServer.Storage;

namespace MetaServer.Accounts.Tests;

/// <summary>Login writes the account summary through to the cache, and a failing cache never fails a login.</summary>
public sealed class LoginSummaryCacheTests
{
    [Fact]
    public async Task HandleAsync_CreateThenUpdate_WritesEachRevisionThrough()
    {
        var clock = new MetaServer.Testing.ManualTimeProvider(TestAccounts.Epoch);
        var cache = new EmbeddedAccountSummaryCache(clock, TimeSpan.FromMinutes(10));
        using var harness = new HandlerHarness(summaryCache: cache);

        var first = await harness.LoginAsync("my-phone");
        var afterCreate = await cache.GetAsync(first.Account.AccountId);
        harness.Clock.Advance(TimeSpan.FromHours(1));
        var second = await harness.LoginAsync("my-phone");
        var afterUpdate = await cache.GetAsync(first.Account.AccountId);

        Assert.Equal(1, afterCreate!.Revision);
        Assert.Equal(first.Account.Nickname, afterCreate.Nickname);
        Assert.Equal(TestAccounts.Epoch, afterCreate.LastLoginAt);
        Assert.Equal(second.Account.Revision, afterUpdate!.Revision);
        Assert.Equal(TestAccounts.Epoch.AddHours(1), afterUpdate.LastLoginAt);
    }

    [Fact]
    public async Task HandleAsync_SummaryCacheThrows_LoginSucceeds()
    {
        using var harness = new HandlerHarness(summaryCache: new FailingCache());

        var result = await harness.LoginAsync("my-phone");

        Assert.Equal(ResultCode.Ok, result.Result.Code);
        Assert.True(result.Created);
        Assert.NotNull(await harness.Store.FindByDeviceAsync("my-phone", CancellationToken.None));
    }

    private sealed class FailingCache : IAccountSummaryCache
    {
        public ValueTask<IReadOnlyDictionary<string, AccountSummary>> GetManyAsync(IReadOnlyCollection<string> accountIds, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("cache down");

        public ValueTask<AccountSummary?> GetAsync(string accountId, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("cache down");

        public ValueTask<bool> SetAsync(AccountSummary summary, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<bool>(new TimeoutException("cache down"));

        public ValueTask RemoveAsync(string accountId, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("cache down");
    }
}
