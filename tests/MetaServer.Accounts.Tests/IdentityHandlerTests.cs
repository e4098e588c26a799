using MetaServer.Accounts.Domain;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using IdentityKind = MetaServer.Protocol.V1.IdentityKind;

namespace MetaServer.Accounts.Tests;

/// <summary>Custom-id and provider logins, link/unlink, bans and the session check, on SQLite.</summary>
public sealed class IdentityHandlerTests : IDisposable
{
    private readonly TestIdTokens _tokens = new();
    private readonly HandlerHarness _harness;

    public IdentityHandlerTests() => _harness = new HandlerHarness(providers: _tokens.Options());

    public void Dispose()
    {
        _harness.Dispose();
        _tokens.Dispose();
    }

    private Task<AccountResult> LoginCustomAsync(string customId) =>
        HandlerHarness.CallAsync(_harness.LoginCustom, new LoginCustomCommand { CustomId = customId });

    private Task<AccountResult> LoginGoogleAsync(string subject) =>
        HandlerHarness.CallAsync(_harness.LoginProvider, new LoginProviderCommand { Provider = IdentityProvider.Google, IdToken = _tokens.Google(_harness.Clock.GetUtcNow(), subject) });

    private Task<Envelope> LinkAsync(string accountId, LinkRequest link) => HandlerHarness.RouteAsync(_harness.Link, link, accountId);

    private Task<Envelope> UnlinkAsync(string accountId, IdentityKind kind, string id, string? clientRequestId = null) =>
        HandlerHarness.RouteAsync(_harness.Unlink, new UnlinkRequest { ClientRequestId = clientRequestId ?? Guid.NewGuid().ToString("N"), Kind = kind, Id = id }, accountId);

    private Task<AccountResult> BanAsync(string accountId, string requestId = "ban-1", long expiresAtUnixMs = 0) =>
        HandlerHarness.CallAsync(_harness.Ban, new BanAccountCommand { AccountId = accountId, Reason = "cheating", Operator = "ops-alice", RequestId = requestId, ExpiresAtUnixMs = expiresAtUnixMs });

    [Fact]
    public async Task LoginCustom_FirstAndSecondLogin_CreatesOnceAndListsIdentity()
    {
        var first = await LoginCustomAsync("studio-user-42");
        var second = await LoginCustomAsync("studio-user-42");

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Account.AccountId, second.Account.AccountId);
        var identity = Assert.Single(second.Account.Identities);
        Assert.Equal(IdentityKind.Custom, identity.Kind);
        Assert.Equal("studio-user-42", identity.Id);
        Assert.Empty(second.Account.DeviceIds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\there")]
    public async Task LoginCustom_InvalidId_InvalidArgumentNamingCustomId(string customId)
    {
        var result = await LoginCustomAsync(customId);

        Assert.Equal(ResultCode.InvalidArgument, result.Result.Code);
        Assert.Contains("custom id", result.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginProvider_ValidGoogleToken_CreatesAccountForSubject()
    {
        var first = await LoginGoogleAsync("g-100");
        var again = await LoginGoogleAsync("g-100");

        Assert.Equal(ResultCode.Ok, first.Result.Code);
        Assert.True(first.Created);
        Assert.Equal(first.Account.AccountId, again.Account.AccountId);
        Assert.Equal(new AccountIdentity { Kind = IdentityKind.Google, Id = "g-100" }, Assert.Single(again.Account.Identities));
    }

    [Fact]
    public async Task LoginProvider_ExpiredToken_InvalidTokenAndNoAccount()
    {
        var token = _tokens.Google(_harness.Clock.GetUtcNow(), "g-old");
        _harness.Clock.Advance(TimeSpan.FromHours(2));

        var result = await HandlerHarness.CallAsync(_harness.LoginProvider, new LoginProviderCommand { Provider = IdentityProvider.Google, IdToken = token });

        Assert.Equal(ResultCode.InvalidToken, result.Result.Code);
        Assert.Equal("The id token has expired.", result.Result.Message);
        Assert.Null(await _harness.Store.FindByIdentityAsync(new LinkedIdentity(Domain.IdentityKind.Google, "g-old"), CancellationToken.None));
    }

    [Fact]
    public async Task Link_DeviceThenLoginWithDevice_SameAccount()
    {
        var account = (await LoginCustomAsync("link-me")).Account;

        var linked = await LinkAsync(account.AccountId, new LinkRequest { ClientRequestId = "l-1", DeviceId = "phone-1" });
        var retried = await LinkAsync(account.AccountId, new LinkRequest { ClientRequestId = "l-1", DeviceId = "phone-1" });
        var viaDevice = await _harness.LoginAsync("phone-1");

        Assert.Equal(ResultCode.Ok, linked.Result.Code);
        Assert.Equal(["phone-1"], linked.Account.Account.DeviceIds);
        Assert.Equal(ResultCode.Ok, retried.Result.Code);
        Assert.Equal(linked.Account.Account.Revision, retried.Account.Account.Revision);
        Assert.False(viaDevice.Created);
        Assert.Equal(account.AccountId, viaDevice.Account.AccountId);
    }

    [Fact]
    public async Task Link_ProviderAlreadyLinkedElsewhere_AlreadyLinkedAndNothingChanges()
    {
        var owner = (await LoginGoogleAsync("g-taken")).Account;
        var other = (await LoginCustomAsync("someone-else")).Account;

        var reply = await LinkAsync(other.AccountId, new LinkRequest
        {
            ClientRequestId = "l-2",
            Provider = new ProviderToken { Provider = IdentityProvider.Google, IdToken = _tokens.Google(_harness.Clock.GetUtcNow(), "g-taken") },
        });

        Assert.Equal(ResultCode.AlreadyLinked, reply.Result.Code);
        Assert.Equal("This Google account is already linked to another account.", reply.Result.Message);
        Assert.Equal(owner.AccountId, (await LoginGoogleAsync("g-taken")).Account.AccountId);
        Assert.Empty((await _harness.Store.GetAsync(other.AccountId, CancellationToken.None))!.Identities.Where(i => i.Kind == Domain.IdentityKind.Google));
    }

    [Fact]
    public async Task Link_InvalidProviderToken_InvalidTokenWithReason()
    {
        var account = (await LoginCustomAsync("bad-token-linker")).Account;

        var reply = await LinkAsync(account.AccountId, new LinkRequest
        {
            ClientRequestId = "l-3",
            Provider = new ProviderToken { Provider = IdentityProvider.Apple, IdToken = _tokens.Google(_harness.Clock.GetUtcNow()) },
        });

        Assert.Equal(ResultCode.InvalidToken, reply.Result.Code);
    }

    [Fact]
    public async Task Link_ProviderRetriedWithRefreshedToken_SameRequestLinkedOnce()
    {
        var account = (await LoginCustomAsync("refreshing-linker")).Account;
        var first = await LinkAsync(account.AccountId, new LinkRequest
        {
            ClientRequestId = "l-refresh",
            Provider = new ProviderToken { Provider = IdentityProvider.Google, IdToken = _tokens.Google(_harness.Clock.GetUtcNow(), "g-refresh") },
        });
        _harness.Clock.Advance(TimeSpan.FromMinutes(1));

        var retry = await LinkAsync(account.AccountId, new LinkRequest
        {
            ClientRequestId = "l-refresh",
            Provider = new ProviderToken { Provider = IdentityProvider.Google, IdToken = _tokens.Google(_harness.Clock.GetUtcNow(), "g-refresh") },
        });

        Assert.Equal(ResultCode.Ok, first.Result.Code);
        Assert.Equal(ResultCode.Ok, retry.Result.Code);
        Assert.Equal(first.Account.Account.Revision, retry.Account.Account.Revision);
        Assert.Equal(account.AccountId, (await LoginGoogleAsync("g-refresh")).Account.AccountId);
    }

    [Fact]
    public async Task LinkAndUnlink_BannedAccount_AccountBannedAndNothingChanged()
    {
        var account = (await LoginCustomAsync("banned-linker")).Account;
        Assert.Equal(ResultCode.Ok, (await LinkAsync(account.AccountId, new LinkRequest { ClientRequestId = "l-b1", DeviceId = "banned-phone" })).Result.Code);
        await BanAsync(account.AccountId, requestId: "ban-linker");

        var link = await LinkAsync(account.AccountId, new LinkRequest { ClientRequestId = "l-b2", DeviceId = "banned-phone-2" });
        var unlink = await UnlinkAsync(account.AccountId, IdentityKind.Device, "banned-phone");

        Assert.Equal(ResultCode.AccountBanned, link.Result.Code);
        Assert.Equal(ResultCode.AccountBanned, unlink.Result.Code);
        Assert.Equal(["banned-phone"], (await _harness.Store.GetAsync(account.AccountId, CancellationToken.None))!.DeviceIds.ToArray());
    }

    [Fact]
    public async Task Unlink_LastIdentity_FailedPreconditionAndStillLinked()
    {
        var account = (await LoginCustomAsync("only-one")).Account;

        var reply = await UnlinkAsync(account.AccountId, IdentityKind.Custom, "only-one");

        Assert.Equal(ResultCode.FailedPrecondition, reply.Result.Code);
        Assert.Contains("last identity", reply.Result.Message, StringComparison.Ordinal);
        Assert.Equal(account.AccountId, (await LoginCustomAsync("only-one")).Account.AccountId);
    }

    [Fact]
    public async Task Unlink_LinkedDeviceTwice_RemovesOnceFreesDeviceAndRetryIsOk()
    {
        var account = (await LoginCustomAsync("owner-of-phone")).Account;
        Assert.Equal(ResultCode.Ok, (await LinkAsync(account.AccountId, new LinkRequest { ClientRequestId = "l-4", DeviceId = "phone-2" })).Result.Code);

        var first = await UnlinkAsync(account.AccountId, IdentityKind.Device, "phone-2", "u-4");
        var retry = await UnlinkAsync(account.AccountId, IdentityKind.Device, "phone-2", "u-4");
        var deviceLogin = await _harness.LoginAsync("phone-2");

        Assert.Equal(ResultCode.Ok, first.Result.Code);
        Assert.Empty(first.Account.Account.DeviceIds);
        Assert.Equal(ResultCode.Ok, retry.Result.Code);
        Assert.Equal(first.Account.Account.Revision, retry.Account.Account.Revision);
        Assert.True(deviceLogin.Created);
        Assert.NotEqual(account.AccountId, deviceLogin.Account.AccountId);
    }

    [Fact]
    public async Task Ban_ThenEveryLoginKind_AccountBannedWithReasonAndExpiry()
    {
        var account = (await LoginCustomAsync("cheater")).Account;
        Assert.Equal(ResultCode.Ok, (await LinkAsync(account.AccountId, new LinkRequest { ClientRequestId = "l-5", DeviceId = "cheat-phone" })).Result.Code);
        var expires = _harness.Clock.GetUtcNow().AddDays(7);

        var ban = await BanAsync(account.AccountId, expiresAtUnixMs: expires.ToUnixTimeMilliseconds());
        var custom = await LoginCustomAsync("cheater");
        var device = await _harness.LoginAsync("cheat-phone");
        var session = await HandlerHarness.CallAsync(_harness.GetAccount, new GetAccountQuery { AccountId = account.AccountId, CheckSession = true });
        var plainRead = await HandlerHarness.CallAsync(_harness.GetAccount, new GetAccountQuery { AccountId = account.AccountId });

        Assert.Equal(ResultCode.Ok, ban.Result.Code);
        foreach (var refused in new[] { custom, device, session })
        {
            Assert.Equal(ResultCode.AccountBanned, refused.Result.Code);
            Assert.Equal("This account is banned: cheating. The ban ends at 2026-01-08 00:00:00 UTC.", refused.Result.Message);
        }

        Assert.Equal(ResultCode.Ok, plainRead.Result.Code);
    }

    [Fact]
    public async Task Ban_Expired_LoginWorksAgain()
    {
        var account = (await LoginCustomAsync("short-ban")).Account;
        await BanAsync(account.AccountId, expiresAtUnixMs: _harness.Clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds());
        Assert.Equal(ResultCode.AccountBanned, (await LoginCustomAsync("short-ban")).Result.Code);

        _harness.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(ResultCode.Ok, (await LoginCustomAsync("short-ban")).Result.Code);
    }

    [Fact]
    public async Task Ban_RedeliveredAfterUnban_NotAppliedAgain()
    {
        var account = (await LoginCustomAsync("forgiven")).Account;
        await BanAsync(account.AccountId, requestId: "ban-7");
        var unban = await HandlerHarness.CallAsync(_harness.Unban, new UnbanAccountCommand { AccountId = account.AccountId, Operator = "ops-bob", RequestId = "unban-7" });

        var redelivered = await BanAsync(account.AccountId, requestId: "ban-7");
        var login = await LoginCustomAsync("forgiven");

        Assert.Equal(ResultCode.Ok, unban.Result.Code);
        Assert.Equal(ResultCode.Ok, redelivered.Result.Code);
        Assert.Equal(ResultCode.Ok, login.Result.Code);
        var stored = await _harness.Store.GetAsync(account.AccountId, CancellationToken.None);
        Assert.Null(stored!.Ban);
        Assert.Equal(["ban", "unban"], stored.ModerationLog.Select(e => e.Action).ToArray());
    }

    [Theory]
    [InlineData("", "ops", "reason", 0L)]
    [InlineData("acc", "", "reason", 0L)]
    [InlineData("acc", "ops", "", 0L)]
    [InlineData("acc", "ops", "reason", 1L)]
    public async Task Ban_InvalidCommand_InvalidArgument(string accountId, string @operator, string reason, long expiresAt)
    {
        var result = await HandlerHarness.CallAsync(_harness.Ban, new BanAccountCommand { AccountId = accountId, Operator = @operator, Reason = reason, ExpiresAtUnixMs = expiresAt });

        Assert.Equal(ResultCode.InvalidArgument, result.Result.Code);
    }

    [Fact]
    public async Task GetAccount_StampLogin_StoresLoginTime()
    {
        var account = (await LoginCustomAsync("resumer")).Account;
        _harness.Clock.Advance(TimeSpan.FromHours(3));

        var resumed = await HandlerHarness.CallAsync(_harness.GetAccount, new GetAccountQuery { AccountId = account.AccountId, CheckSession = true, StampLogin = true });

        Assert.Equal(ResultCode.Ok, resumed.Result.Code);
        Assert.Equal(_harness.Clock.GetUtcNow().ToUnixTimeMilliseconds(), resumed.Account.LastLoginAtUnixMs);
        Assert.Equal(_harness.Clock.GetUtcNow(), (await _harness.Store.GetAsync(account.AccountId, CancellationToken.None))!.LastLoginAt);
    }
}
