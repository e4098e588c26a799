using MetaServer.Accounts.Domain;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Tests;

/// <summary>Lazy migration at login, with a test step 0 -> 1 (production has none yet).</summary>
public sealed class LoginMigrationTests : IDisposable
{
    private readonly HandlerHarness _harness = new(migrations: [new RenameNameToNicknameMigration()]);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task HandleAsync_LoginOfSchema0Account_MigratesAndSavesWithLoginUpdate()
    {
        var seeded = await _harness.SeedAsync(AccountFixtures.Schema0);

        var result = await _harness.LoginAsync("fixture-device-0");

        Assert.Equal(ResultCode.Ok, result.Result.Code);
        Assert.False(result.Created);
        Assert.Equal(seeded.AccountId, result.Account.AccountId);
        Assert.Equal("OldTimer", result.Account.Nickname);
        Assert.Equal(2, result.Account.Revision);
        var stored = await _harness.Store.GetAsync(seeded.AccountId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(Account.CurrentSchemaVersion, stored.SchemaVersion);
        Assert.Equal("OldTimer", stored.Nickname);
        Assert.False(stored.ExtraFields.ContainsKey("name"));
        Assert.Equal(TestAccounts.Epoch, stored.LastLoginAt);
        Assert.Equal(2, stored.Revision);
    }

    [Fact]
    public async Task HandleAsync_GetAccountOfSchema0Account_AnswersMigratedButDoesNotSave()
    {
        var seeded = await _harness.SeedAsync(AccountFixtures.Schema0);
        var request = HandlerHarness.GetAccountRequest(seeded.AccountId);

        var result = HandlerHarness.SingleResult(request, await _harness.GetAccount.HandleAsync(request, CancellationToken.None));

        Assert.Equal(ResultCode.Ok, result.Result.Code);
        Assert.Equal("OldTimer", result.Account.Nickname);
        var stored = await _harness.Store.GetAsync(seeded.AccountId, CancellationToken.None);
        Assert.Equal(0, stored?.SchemaVersion);
        Assert.Equal(1, stored?.Revision);
    }

    [Fact]
    public async Task HandleAsync_LoginOfAccountFromNewerBuild_RepliesUnavailableAndLeavesItUntouched()
    {
        var seeded = await _harness.SeedAsync(AccountFixtures.SchemaFromNewerBuild);

        var request = HandlerHarness.LoginRequest("fixture-device-2");
        var replies = await _harness.Login.HandleAsync(request, CancellationToken.None);

        var result = HandlerHarness.SingleResult(request, replies);
        Assert.Equal(ResultCode.Unavailable, result.Result.Code);
        Assert.Equal(seeded.AccountId, replies[0].Envelope.PlayerId);
        var stored = await _harness.Store.GetAsync(seeded.AccountId, CancellationToken.None);
        Assert.Equal(1, stored?.Revision);
        Assert.Equal(99, stored?.SchemaVersion);
        Assert.Equal("g-1", stored?.ExtraFields["guild"].GetString());
    }

    [Fact]
    public async Task HandleAsync_MigrationStepFails_RepliesInternalWithoutDetails()
    {
        using var harness = new HandlerHarness(migrations: [new ThrowingMigration()]);
        await harness.SeedAsync(AccountFixtures.Schema0);

        var result = await harness.LoginAsync("fixture-device-0");

        Assert.Equal(ResultCode.Internal, result.Result.Code);
        Assert.DoesNotContain("bad old document", result.Result.Message, StringComparison.Ordinal);
    }
}
