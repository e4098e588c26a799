using MetaServer.Accounts.DynamoDb;
using MetaServer.Accounts.Storage;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// Many concurrent purchases on one account through the handlers: with funds for exactly K, exactly K succeed, the
/// rest are INSUFFICIENT_FUNDS, the balance ends exact and is never negative in any answer. A handler that gives up
/// after its conflict retries throws; the test then redelivers the same message, as the queue would.
/// </summary>
public abstract class PurchaseConcurrencyTests
{
    private const int Purchases = 50;

    /// <summary>The handlers on a fresh store of the kind under test.</summary>
    private protected abstract Task<HandlerHarness> CreateHarnessAsync();

    [Fact]
    public async Task Purchase_ManyConcurrentOnOneAccount_ExactlyAffordableOnesSucceedAndBalanceExact()
    {
        using var harness = await CreateHarnessAsync();
        var accountId = await harness.NewAccountAsync();
        // 1000 starting gold, offer.gem costs 100 gold: exactly 10 can succeed.
        const int affordable = 10;

        var replies = await Task.WhenAll(Enumerable.Range(0, Purchases).Select(i => Task.Run(async () =>
        {
            var request = HandlerHarness.RoutedRequest(
                MessageTypes.AccountsPurchase, new PurchaseRequest { ClientRequestId = $"buy-{i}", OfferId = "offer.gem" }, accountId);
            for (var delivery = 1; ; delivery++)
            {
                try
                {
                    return await harness.HandleRoutedAsync(request);
                }
                catch (AccountUpdateConflictException) when (delivery < 20)
                {
                    // Redelivered, as the queue does after the handler threw.
                }
            }
        })));

        var succeeded = replies.Where(r => r.Result.Code == ResultCode.Ok).ToArray();
        Assert.Equal(affordable, succeeded.Length);
        Assert.All(replies.Where(r => r.Result.Code != ResultCode.Ok), r => Assert.Equal(ResultCode.InsufficientFunds, r.Result.Code));
        Assert.All(succeeded, r => Assert.InRange(r.Account.Account.Wallet.GetValueOrDefault("gold"), 0, 900));

        // Each success saw its own revision and balance: no two applied to the same state.
        Assert.Equal(affordable, succeeded.Select(r => r.Account.Account.Revision).Distinct().Count());
        Assert.Equal(affordable, succeeded.Select(r => r.Account.Account.Wallet.GetValueOrDefault("gold")).Distinct().Count());
        var stored = await harness.Store.GetAsync(accountId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(0, stored.Wallet["gold"]);
        Assert.Equal(50 + affordable, stored.Wallet["gems"]);
        Assert.Equal(1 + affordable, stored.Revision);
    }
}

public sealed class SqlitePurchaseConcurrencyTests : PurchaseConcurrencyTests
{
    private protected override Task<HandlerHarness> CreateHarnessAsync() => Task.FromResult(new HandlerHarness());
}

public sealed class DynamoDbPurchaseConcurrencyTests(DynaliteFixture dynalite) : PurchaseConcurrencyTests, IClassFixture<DynaliteFixture>, IAsyncLifetime
{
    private readonly List<DynamoDbAccountStore> _stores = [];

    private protected override async Task<HandlerHarness> CreateHarnessAsync()
    {
        var store = await dynalite.CreateStoreAsync();
        _stores.Add(store);
        return new HandlerHarness(wrapStore: _ => store);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await dynalite.DeleteTableAsync(store.TableName);
            store.Dispose();
        }
    }
}
