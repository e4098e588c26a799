using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Storage;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.Accounts.Tests;

public sealed class LoginDeviceHandlerTests : IDisposable
{
    private readonly HandlerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void MessageType_IsLoginDevice()
    {
        Assert.Equal(MessageTypes.AccountsLoginDevice, _harness.Login.MessageType);
    }

    [Fact]
    public async Task HandleAsync_FirstLogin_CreatesAccountAndRepliesCreated()
    {
        var request = HandlerHarness.LoginRequest("my-phone");

        var replies = await _harness.Login.HandleAsync(request, CancellationToken.None);

        var result = HandlerHarness.SingleResult(request, replies);
        Assert.Equal(ResultCode.Ok, result.Result.Code);
        Assert.True(result.Created);
        var snapshot = result.Account;
        Assert.Equal(32, snapshot.AccountId.Length);
        Assert.Equal(DeviceIds.DefaultNickname("my-phone"), snapshot.Nickname);
        Assert.Matches("^Player[0-9]{4}$", snapshot.Nickname);
        Assert.Equal(TestAccounts.Epoch.ToUnixTimeMilliseconds(), snapshot.CreatedAtUnixMs);
        Assert.Equal(TestAccounts.Epoch.ToUnixTimeMilliseconds(), snapshot.LastLoginAtUnixMs);
        Assert.Equal(1, snapshot.Revision);
        Assert.Equal(["my-phone"], snapshot.DeviceIds);
        Assert.Equal(snapshot.AccountId, replies[0].Envelope.PlayerId);
        var stored = await _harness.Store.FindByDeviceAsync("my-phone", CancellationToken.None);
        Assert.Equal(snapshot.AccountId, stored?.AccountId);
        Assert.Equal(Account.CurrentSchemaVersion, stored?.SchemaVersion);
    }

    [Fact]
    public async Task HandleAsync_SecondLogin_ReturnsSameAccountNotCreatedWithNewLoginTime()
    {
        var first = await _harness.LoginAsync("my-phone");
        _harness.Clock.Advance(TimeSpan.FromHours(3));

        var second = await _harness.LoginAsync("my-phone");

        Assert.Equal(ResultCode.Ok, second.Result.Code);
        Assert.False(second.Created);
        Assert.Equal(first.Account.AccountId, second.Account.AccountId);
        Assert.Equal(first.Account.Nickname, second.Account.Nickname);
        Assert.Equal(first.Account.CreatedAtUnixMs, second.Account.CreatedAtUnixMs);
        Assert.Equal(TestAccounts.Epoch.AddHours(3).ToUnixTimeMilliseconds(), second.Account.LastLoginAtUnixMs);
        Assert.Equal(2, second.Account.Revision);
    }

    [Fact]
    public async Task HandleAsync_RedeliveredCreatingMessage_ReturnsSameAccountWithoutSecondOne()
    {
        var request = HandlerHarness.LoginRequest("my-phone", messageId: "login-1");
        var first = HandlerHarness.SingleResult(request, await _harness.Login.HandleAsync(request, CancellationToken.None));
        var redelivery = request with { ReceiveCount = 2 };

        var again = HandlerHarness.SingleResult(redelivery, await _harness.Login.HandleAsync(redelivery, CancellationToken.None));

        Assert.Equal(first.Account.AccountId, again.Account.AccountId);
        Assert.True(again.Created, "a redelivery of the creating login is still that login");
        Assert.Equal(first.Account.AccountId, (await _harness.Store.FindByDeviceAsync("my-phone", CancellationToken.None))?.AccountId);
        var otherLogin = await _harness.LoginAsync("my-phone");
        Assert.False(otherLogin.Created);
        Assert.Equal(first.Account.AccountId, otherLogin.Account.AccountId);
    }

    [Fact]
    public async Task HandleAsync_ParallelFirstLoginsOfOneDevice_OneAccountAndOneCreated()
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logins = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await _harness.LoginAsync("shared-device");
            }))
            .ToArray();

        start.SetResult();
        var results = await Task.WhenAll(logins).WithTimeout("parallel logins");

        Assert.All(results, r => Assert.Equal(ResultCode.Ok, r.Result.Code));
        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Account.AccountId).Distinct());
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\tinside")]
    [InlineData("caf\u00e9")]
    public async Task HandleAsync_InvalidDeviceId_RepliesInvalidArgument(string deviceId)
    {
        var request = HandlerHarness.LoginRequest(deviceId);

        var result = HandlerHarness.SingleResult(request, await _harness.Login.HandleAsync(request, CancellationToken.None));

        Assert.Equal(ResultCode.InvalidArgument, result.Result.Code);
        Assert.Contains("device id", result.Result.Message, StringComparison.Ordinal);
        Assert.Null(result.Account);
    }

    [Fact]
    public async Task HandleAsync_DeviceIdTooLong_RepliesInvalidArgumentAndCreatesNothing()
    {
        var deviceId = new string('d', DeviceIds.MaxLength + 1);
        var request = HandlerHarness.LoginRequest(deviceId);

        var result = HandlerHarness.SingleResult(request, await _harness.Login.HandleAsync(request, CancellationToken.None));

        Assert.Equal(ResultCode.InvalidArgument, result.Result.Code);
        Assert.Null(await _harness.Store.FindByDeviceAsync(deviceId, CancellationToken.None));
    }

    [Fact]
    public async Task HandleAsync_UndecodablePayload_RepliesInvalidArgument()
    {
        // A length-delimited field 1 that claims 5 bytes but has 1: truncated protobuf.
        var request = HandlerHarness.Request(MessageTypes.AccountsLoginDevice, new byte[] { 0x0A, 0x05, 0x61 });

        var result = HandlerHarness.SingleResult(request, await _harness.Login.HandleAsync(request, CancellationToken.None));

        Assert.Equal(ResultCode.InvalidArgument, result.Result.Code);
        Assert.False(string.IsNullOrEmpty(result.Result.Message));
    }

    [Fact]
    public async Task HandleAsync_NoReplyTo_HandlesWithoutReply()
    {
        var request = HandlerHarness.Request(
            MessageTypes.AccountsLoginDevice, new Protocol.Internal.V1.LoginDeviceCommand { DeviceId = "quiet" }.ToByteArray(), replyTo: null);

        var replies = await _harness.Login.HandleAsync(request, CancellationToken.None);

        Assert.Empty(replies);
        Assert.NotNull(await _harness.Store.FindByDeviceAsync("quiet", CancellationToken.None));
    }

    [Fact]
    public async Task HandleAsync_StoreFails_ExceptionPropagatesForRedelivery()
    {
        using var harness = new HandlerHarness(wrapStore: _ => new FailingStore());

        await Assert.ThrowsAsync<IOException>(async () => await harness.Login.HandleAsync(HandlerHarness.LoginRequest("my-phone"), CancellationToken.None));
    }

    [Fact]
    public async Task HandleAsync_ConcurrentWritesDuringLogin_RetriesAndKeepsTheirChange()
    {
        CompetingWriterStore? competing = null;
        using var harness = new HandlerHarness(wrapStore: s => competing = new CompetingWriterStore(s, conflicts: 2));
        var first = await harness.LoginAsync("my-phone");
        harness.Clock.Advance(TimeSpan.FromMinutes(1));

        var second = await harness.LoginAsync("my-phone");

        Assert.Equal(ResultCode.Ok, second.Result.Code);
        Assert.Equal(2, competing!.CompetingWrites);
        Assert.Equal(competing.CompetingNickname, second.Account.Nickname);
        Assert.Equal(TestAccounts.Epoch.AddMinutes(1).ToUnixTimeMilliseconds(), second.Account.LastLoginAtUnixMs);
        Assert.Equal(first.Account.Revision + 3, second.Account.Revision);
    }

    [Fact]
    public async Task HandleAsync_ConflictsOnEveryAttempt_ThrowsForRedelivery()
    {
        using var harness = new HandlerHarness(wrapStore: s => new CompetingWriterStore(s, conflicts: 100), maxUpdateAttempts: 3);
        await harness.LoginAsync("my-phone");
        harness.Clock.Advance(TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<AccountUpdateConflictException>(
            async () => await harness.Login.HandleAsync(HandlerHarness.LoginRequest("my-phone"), CancellationToken.None));

        Assert.Equal(3, error.Attempts);
    }

    [Fact]
    public async Task HandleAsync_HalfFinishedCreationOfDevice_CompletesItAndRepliesCreated()
    {
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_harness.Sqlite.DatabasePath};Pooling=False"))
        {
            await _harness.Sqlite.InitializeAsync(CancellationToken.None);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO identity_links (kind, id, account_id, claimed_at) VALUES ('device', 'crashed-device', 'claimed-account', 0);";
            await command.ExecuteNonQueryAsync();
        }

        var result = await _harness.LoginAsync("crashed-device");

        Assert.Equal(ResultCode.Ok, result.Result.Code);
        Assert.True(result.Created);
        Assert.Equal("claimed-account", result.Account.AccountId);
    }
}
