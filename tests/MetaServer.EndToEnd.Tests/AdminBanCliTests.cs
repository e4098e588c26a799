using MetaServer.Accounts.Storage;
using MetaServer.Cli;
using MetaServer.Client;
using MetaServer.Messaging.Sqs;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// <c>metaserver admin ban|unban</c> end to end: the CLI sends onto the accounts queue of a deployment on SQS (the
/// fauxqs stand-in), the all-in-one host's real accounts handlers apply it to SQLite, the CLI prints the answer read
/// from its temporary reply queue and deletes that queue.
/// </summary>
public sealed class AdminBanCliTests : IAsyncLifetime
{
    private readonly string _version = "e2e-admin-" + Guid.NewGuid().ToString("N")[..8];
    private StandIn? _sqs;
    private AllInOneHost? _host;

    private AllInOneHost Host => _host!;

    // What the CLI reads from the environment in production (credentials never on the command line).
    private IConfiguration Environment => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["MetaServer:Sqs:AccessKey"] = "test",
        ["MetaServer:Sqs:SecretKey"] = "test",
        ["MetaServer:Sqs:Region"] = "us-east-1",
    }).Build();

    public async Task InitializeAsync()
    {
        _sqs = await StandIn.StartSqsAsync();
        _host = await AllInOneHost.StartAsync(
            extraArgs:
            [
                "--MetaServer:Transport=Sqs",
                $"--MetaServer:DeploymentVersion={_version}",
                $"--MetaServer:Sqs:ServiceUrl={_sqs.HttpEndpoint}",
                "--MetaServer:Sqs:Region=us-east-1",
                "--MetaServer:Sqs:AccessKey=test",
                "--MetaServer:Sqs:SecretKey=test",
                "--MetaServer:Pipelines:Default:ReceiveWaitTime=00:00:01",
            ]);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_sqs is not null)
        {
            await _sqs.DisposeAsync();
        }
    }

    private async Task<(int Exit, string Output, string Error)> RunCliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] all = [.. args, "--sqs-endpoint", _sqs!.HttpEndpoint.ToString(), "--deployment-version", _version];
        var exit = await CliApp.RunAsync(all, output, error, Environment, CancellationToken.None).WithTimeout("metaserver " + string.Join(' ', args));
        return (exit, output.ToString(), error.ToString());
    }

    private async Task<string> NewAccountAsync(string deviceId)
    {
        await using var client = await Host.ConnectAsync();
        var login = await client.LoginDeviceAsync(deviceId).WithTimeout("device login");
        return login.Account.AccountId;
    }

    [Fact]
    public async Task BanRetryThenUnban_AgainstAccountsServiceOnSqs_StoresBanOnceRefusesLoginThenLiftsIt()
    {
        var accountId = await NewAccountAsync("admin-cli-device-1");
        var until = TimeProvider.System.GetUtcNow().AddDays(7);
        until = DateTimeOffset.FromUnixTimeSeconds(until.ToUnixTimeSeconds());
        var untilText = until.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var ban = await RunCliAsync("admin", "ban", "--account", accountId, "--reason", "  aimbot  ", "--until", untilText, "--operator", "alice", "--request-id", "ops-ban-1");
        var store = Host.Services.GetRequiredService<IAccountStore>();
        var banned = await store.GetAsync(accountId, CancellationToken.None);
        await using (var client = await Host.ConnectAsync())
        {
            var refused = await Assert.ThrowsAsync<MetaServerRequestException>(() => client.LoginDeviceAsync("admin-cli-device-1")).WithTimeout("banned login");
            Assert.Equal(ResultCode.AccountBanned, refused.Code);
        }

        // The same request id again: answered OK, applied once.
        var retry = await RunCliAsync("admin", "ban", "--account", accountId, "--reason", "aimbot", "--until", untilText, "--operator", "alice", "--request-id", "ops-ban-1");
        var afterRetry = await store.GetAsync(accountId, CancellationToken.None);

        var unban = await RunCliAsync("admin", "unban", "--account", accountId, "--operator", "bob");
        var unbanned = await store.GetAsync(accountId, CancellationToken.None);
        await using (var client = await Host.ConnectAsync())
        {
            var login = await client.LoginDeviceAsync("admin-cli-device-1").WithTimeout("login after unban");
            Assert.Equal(accountId, login.Account.AccountId);
        }

        Assert.True(ban.Exit == CliApp.ExitOk, $"exit {ban.Exit}\n{ban.Output}\n{ban.Error}");
        Assert.Contains("request id ops-ban-1", ban.Output, StringComparison.Ordinal);
        Assert.Contains("ban: OK", ban.Output, StringComparison.Ordinal);
        Assert.NotNull(banned?.Ban);
        Assert.Equal("aimbot", banned.Ban.Reason);
        Assert.Equal("alice", banned.Ban.Operator);
        Assert.Equal(until, banned.Ban.ExpiresAt);
        Assert.True(retry.Exit == CliApp.ExitOk, $"exit {retry.Exit}\n{retry.Output}\n{retry.Error}");
        Assert.Equal(banned.Revision, afterRetry?.Revision);
        Assert.Single(afterRetry!.ModerationLog, e => e.RequestId == "ops-ban-1");
        Assert.True(unban.Exit == CliApp.ExitOk, $"exit {unban.Exit}\n{unban.Output}\n{unban.Error}");
        Assert.Matches("request id [0-9a-f]{32}", unban.Output);
        Assert.Null(unbanned?.Ban);
        Assert.Contains(unbanned!.ModerationLog, e => e.Action == "unban" && e.Operator == "bob");

        // Every temporary reply queue of the CLI is gone.
        var sqs = Host.Services.GetRequiredService<ISqsClient>();
        var left = await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = _version + "-reply-cli-" });
        Assert.Empty(left.QueueUrls ?? []);
    }

    [Fact]
    public async Task Ban_UnknownAccount_RefusedNotFound()
    {
        var result = await RunCliAsync("admin", "ban", "--account", "no-such-account", "--reason", "spam");

        Assert.True(result.Exit == CliApp.ExitRefused, $"exit {result.Exit}\n{result.Output}\n{result.Error}");
        Assert.Contains("NotFound", result.Error, StringComparison.Ordinal);
        Assert.Contains("No account has this id.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ban_WrongDeploymentVersion_SaysTheQueueIsMissingAndSendsNothing()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(
            ["admin", "ban", "--account", "a1", "--reason", "spam", "--sqs-endpoint", _sqs!.HttpEndpoint.ToString(), "--deployment-version", "not-deployed"],
            output,
            error,
            Environment,
            CancellationToken.None).WithTimeout("ban on a missing queue");

        Assert.True(exit == CliApp.ExitCannotConnect, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("queue not-deployed-req-accounts-ban-account does not exist", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("deployment version", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Nothing was sent", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ban_QueueWithoutConsumer_GivesUpAtTimeoutSayingHowToRetry()
    {
        // A deployment whose ban queue exists but whose accounts service is not running.
        var transport = Host.Services.GetRequiredService<MetaServer.Messaging.IMessageTransport>();
        await transport.CreateQueueAsync("idle-" + _version + "-req-accounts-ban-account", new MetaServer.Messaging.QueueSettings());
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(
            ["admin", "ban", "--account", "a1", "--reason", "spam", "--request-id", "ops-idle-1", "--timeout", "00:00:01",
             "--sqs-endpoint", _sqs!.HttpEndpoint.ToString(), "--deployment-version", "idle-" + _version],
            output,
            error,
            Environment,
            CancellationToken.None).WithTimeout("ban without a consumer");

        Assert.True(exit == CliApp.ExitCannotConnect, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("did not answer within 1 s", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--request-id ops-idle-1", error.ToString(), StringComparison.Ordinal);
        var sqs = Host.Services.GetRequiredService<ISqsClient>();
        var left = await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "idle-" + _version + "-reply-" });
        Assert.Empty(left.QueueUrls ?? []);
    }

    [Theory]
    [InlineData("--until", "next tuesday", "is not an ISO-8601 time")]
    [InlineData("--until", "12/31/2030", "is not an ISO-8601 time")]
    [InlineData("--reason", "   ", "--reason must not be empty")]
    public async Task Ban_BadArguments_ParseErrorBeforeAnythingIsSent(string option, string value, string message)
    {
        string[] args = option == "--reason"
            ? ["admin", "ban", "--account", "a1", "--reason", value]
            : ["admin", "ban", "--account", "a1", "--reason", "spam", option, value];

        var result = await RunCliAsync(args);

        Assert.NotEqual(CliApp.ExitOk, result.Exit);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("request id", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ban_NoDeploymentVersion_SaysHowToSetIt()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CliApp.RunAsync(["admin", "unban", "--account", "a1", "--sqs-endpoint", _sqs!.HttpEndpoint.ToString()], output, error, Environment, CancellationToken.None);

        Assert.Equal(CliApp.ExitRefused, exit);
        Assert.Contains("MetaServer__DeploymentVersion", error.ToString(), StringComparison.Ordinal);
    }
}
