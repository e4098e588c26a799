using MetaServer.Accounts.DynamoDb;
using MetaServer.Accounts.Storage;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using IdentityKind = MetaServer.Protocol.V1.IdentityKind;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// Link and unlink are idempotent by client request id (records in the account document, see AccountMutationRunner):
/// a replay answers the current snapshot and touches neither the account nor the identity claim. Runs on every store.
/// </summary>
public abstract class LinkIdempotencyTests : IAsyncLifetime
{
    private HandlerHarness? _harness;

    private protected HandlerHarness Harness => _harness ?? throw new InvalidOperationException("The harness is made in InitializeAsync.");

    /// <summary>A harness on the store under test, on <paramref name="clock"/>.</summary>
    private protected abstract Task<HandlerHarness> CreateHarnessAsync(ManualTimeProvider clock);

    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _harness = await CreateHarnessAsync(new ManualTimeProvider(TestAccounts.Epoch));

    public async Task DisposeAsync()
    {
        await DisposeStoreAsync();
        _harness?.Dispose();
    }

    private async Task<string> NewCustomAccountAsync()
    {
        var login = await HandlerHarness.CallAsync(Harness.LoginCustom, new LoginCustomCommand { CustomId = "custom-" + Guid.NewGuid().ToString("N") });
        Assert.Equal(ResultCode.Ok, login.Result.Code);
        return login.Account.AccountId;
    }

    private Task<Envelope> LinkDeviceAsync(string accountId, string clientRequestId, string deviceId) =>
        HandlerHarness.RouteAsync(Harness.Link, new LinkRequest { ClientRequestId = clientRequestId, DeviceId = deviceId }, accountId);

    private Task<Envelope> UnlinkDeviceAsync(string accountId, string clientRequestId, string deviceId) =>
        HandlerHarness.RouteAsync(Harness.Unlink, new UnlinkRequest { ClientRequestId = clientRequestId, Kind = IdentityKind.Device, Id = deviceId }, accountId);

    private async Task<Domain.Account> StoredAsync(string accountId) =>
        await Harness.Store.GetAsync(accountId, CancellationToken.None) ?? throw new InvalidOperationException("The account is missing.");

    [Fact]
    public async Task Link_ReplayedAfterLaterUnlink_AnswersOkWithCurrentSnapshotAndDoesNotRelink()
    {
        var accountId = await NewCustomAccountAsync();
        var device = TestAccounts.NewDeviceId();
        Assert.Equal(ResultCode.Ok, (await LinkDeviceAsync(accountId, "link-r1", device)).Result.Code);
        var unlinked = await UnlinkDeviceAsync(accountId, "unlink-r2", device);

        var replay = await LinkDeviceAsync(accountId, "link-r1", device);
        var deviceLogin = await Harness.LoginAsync(device);

        Assert.Equal(ResultCode.Ok, unlinked.Result.Code);
        Assert.Equal(ResultCode.Ok, replay.Result.Code);
        Assert.Empty(replay.Account.Account.DeviceIds);
        Assert.Equal(unlinked.Account.Account.Revision, replay.Account.Account.Revision);
        Assert.Empty((await StoredAsync(accountId)).DeviceIds);

        // The replay did not claim the device again: a login with it makes a new account.
        Assert.True(deviceLogin.Created);
        Assert.NotEqual(accountId, deviceLogin.Account.AccountId);
    }

    [Fact]
    public async Task Unlink_ReplayedAfterLaterRelink_AnswersOkAndKeepsLinkAndClaim()
    {
        var accountId = await NewCustomAccountAsync();
        var device = TestAccounts.NewDeviceId();
        await LinkDeviceAsync(accountId, "link-r1", device);
        await UnlinkDeviceAsync(accountId, "unlink-r2", device);
        var relinked = await LinkDeviceAsync(accountId, "link-r3", device);

        var replay = await UnlinkDeviceAsync(accountId, "unlink-r2", device);
        var deviceLogin = await Harness.LoginAsync(device);

        Assert.Equal(ResultCode.Ok, relinked.Result.Code);
        Assert.Equal(ResultCode.Ok, replay.Result.Code);
        Assert.Equal([device], replay.Account.Account.DeviceIds);
        Assert.Equal(relinked.Account.Account.Revision, replay.Account.Account.Revision);

        // The replay did not release the claim the relink holds: the device still logs into this account.
        Assert.False(deviceLogin.Created);
        Assert.Equal(accountId, deviceLogin.Account.AccountId);
    }

    [Fact]
    public async Task Link_SameRequestDeliveredTwice_LinkedOnceSameRevision()
    {
        var accountId = await NewCustomAccountAsync();
        var device = TestAccounts.NewDeviceId();

        var first = await LinkDeviceAsync(accountId, "link-twice", device);
        var second = await LinkDeviceAsync(accountId, "link-twice", device);

        Assert.Equal(ResultCode.Ok, first.Result.Code);
        Assert.Equal(ResultCode.Ok, second.Result.Code);
        Assert.Equal([device], second.Account.Account.DeviceIds);
        Assert.Equal(first.Account.Account.Revision, second.Account.Account.Revision);
    }

    [Fact]
    public async Task SameClientRequestId_ForLinkThenUnlinkOrOtherIdentity_InvalidArgumentAndLinkStays()
    {
        var accountId = await NewCustomAccountAsync();
        var device = TestAccounts.NewDeviceId();
        var linked = await LinkDeviceAsync(accountId, "shared-id", device);

        var unlink = await UnlinkDeviceAsync(accountId, "shared-id", device);
        var otherLink = await LinkDeviceAsync(accountId, "shared-id", TestAccounts.NewDeviceId());

        Assert.Equal(ResultCode.Ok, linked.Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, unlink.Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, otherLink.Result.Code);
        Assert.Contains("already used", unlink.Result.Message, StringComparison.Ordinal);
        var stored = await StoredAsync(accountId);
        Assert.Equal([device], stored.DeviceIds.ToArray());
        Assert.Equal(linked.Account.Account.Revision, stored.Revision);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("x123456789x123456789x123456789x123456789x123456789x123456789x1234")]
    public async Task LinkAndUnlink_MissingOrInvalidClientRequestId_InvalidArgumentAndNothingChanged(string clientRequestId)
    {
        var accountId = await NewCustomAccountAsync();
        var device = TestAccounts.NewDeviceId();
        await LinkDeviceAsync(accountId, "link-ok", device);
        var before = await StoredAsync(accountId);
        var other = TestAccounts.NewDeviceId();

        var link = await LinkDeviceAsync(accountId, clientRequestId, other);
        var unlink = await UnlinkDeviceAsync(accountId, clientRequestId, device);
        var otherLogin = await Harness.LoginAsync(other);

        Assert.Equal(ResultCode.InvalidArgument, link.Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, unlink.Result.Code);
        Assert.Contains("client request id", link.Result.Message, StringComparison.Ordinal);
        Assert.Equal(before.Revision, (await StoredAsync(accountId)).Revision);
        Assert.True(otherLogin.Created);
    }

    [Fact]
    public async Task Link_DeviceOfAnotherAccount_AlreadyLinkedNotRecordedSoRetryLinksOnceFreed()
    {
        var device = TestAccounts.NewDeviceId();
        var owner = (await Harness.LoginAsync(device)).Account.AccountId;
        var accountId = await NewCustomAccountAsync();

        var refused = await LinkDeviceAsync(accountId, "link-taken", device);
        Assert.Equal(ResultCode.Ok, (await HandlerHarness.RouteAsync(
            Harness.Link, new LinkRequest { ClientRequestId = "owner-custom", CustomId = "owner-" + Guid.NewGuid().ToString("N") }, owner)).Result.Code);
        Assert.Equal(ResultCode.Ok, (await UnlinkDeviceAsync(owner, "owner-unlink", device)).Result.Code);
        var retried = await LinkDeviceAsync(accountId, "link-taken", device);

        Assert.Equal(ResultCode.AlreadyLinked, refused.Result.Code);
        Assert.Equal("This device is already linked to another account.", refused.Result.Message);
        Assert.Equal(ResultCode.Ok, retried.Result.Code);
        Assert.Equal([device], retried.Account.Account.DeviceIds);
        Assert.Equal(accountId, (await Harness.LoginAsync(device)).Account.AccountId);
    }

    [Fact]
    public async Task Unlink_LastIdentity_FailedPreconditionAndStillLinked()
    {
        var device = TestAccounts.NewDeviceId();
        var accountId = (await Harness.LoginAsync(device)).Account.AccountId;

        var refused = await UnlinkDeviceAsync(accountId, "unlink-last", device);

        Assert.Equal(ResultCode.FailedPrecondition, refused.Result.Code);
        Assert.Contains("last identity", refused.Result.Message, StringComparison.Ordinal);
        Assert.Equal(accountId, (await Harness.LoginAsync(device)).Account.AccountId);
    }

    [Fact]
    public async Task Link_AccountAtIdentityLimit_FailedPreconditionAndDeviceNotClaimed()
    {
        var accountId = await NewCustomAccountAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ResultCode.Ok, (await LinkDeviceAsync(accountId, $"fill-{i}", TestAccounts.NewDeviceId())).Result.Code);
        }

        var device = TestAccounts.NewDeviceId();
        var refused = await LinkDeviceAsync(accountId, "one-too-many", device);
        var deviceLogin = await Harness.LoginAsync(device);

        Assert.Equal(ResultCode.FailedPrecondition, refused.Result.Code);
        Assert.True(deviceLogin.Created);
    }

    [Fact]
    public async Task Unlink_IdentityNotListed_OkRecordedAndReleasesLeftoverClaim()
    {
        var accountId = await NewCustomAccountAsync();
        var device = TestAccounts.NewDeviceId();

        // A link that crashed after its claim: the claim is the account's, the account does not list the device.
        Assert.True((await Harness.Store.ClaimIdentityAsync(Domain.LinkedIdentity.Device(device), accountId, CancellationToken.None)).Claimed);
        var unlink = await UnlinkDeviceAsync(accountId, "unlink-leftover", device);
        var replay = await UnlinkDeviceAsync(accountId, "unlink-leftover", device);
        var deviceLogin = await Harness.LoginAsync(device);

        Assert.Equal(ResultCode.Ok, unlink.Result.Code);
        Assert.Equal(unlink.Account.Account.Revision, replay.Account.Account.Revision);
        Assert.True(deviceLogin.Created);
    }
}

/// <summary>Link/unlink idempotency on SQLite.</summary>
public sealed class SqliteLinkIdempotencyTests : LinkIdempotencyTests
{
    private protected override Task<HandlerHarness> CreateHarnessAsync(ManualTimeProvider clock) => Task.FromResult(new HandlerHarness(clock: clock));
}

/// <summary>Link/unlink idempotency on DynamoDB (dynalite), a fresh table per test.</summary>
public sealed class DynamoDbLinkIdempotencyTests(DynaliteFixture dynalite) : LinkIdempotencyTests, IClassFixture<DynaliteFixture>
{
    private DynamoDbAccountStore? _dynamo;

    private protected override async Task<HandlerHarness> CreateHarnessAsync(ManualTimeProvider clock)
    {
        _dynamo = await dynalite.CreateStoreAsync(new WallTimersManualNow(clock));
        IAccountStore store = _dynamo;
        return new HandlerHarness(clock: clock, wrapStore: _ => store);
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_dynamo is not null)
        {
            await dynalite.DeleteTableAsync(_dynamo.TableName);
            _dynamo.Dispose();
        }
    }
}
