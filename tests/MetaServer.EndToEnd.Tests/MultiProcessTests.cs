using System.Collections.Concurrent;
using MetaServer.Client;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.EndToEnd.Tests;

/// <summary>
/// The production topology on this machine: SQS, DynamoDB and Redis stand-ins on loopback, two frontend
/// processes and the accounts backend as its own process, all configured by environment variables.
/// </summary>
public sealed class MultiProcessTests : IAsyncLifetime
{
    private StandIn? _sqs;
    private StandIn? _dynamo;
    private StandIn? _redis;
    private readonly List<ServiceProcess> _services = [];
    private readonly string _version = "e2e" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public async Task InitializeAsync()
    {
        var sqs = StandIn.StartSqsAsync();
        var dynamo = StandIn.StartDynamoDbAsync();
        var redis = StandIn.StartRedisAsync();
        _sqs = await sqs;
        _dynamo = await dynamo;
        _redis = await redis;
    }

    public async Task DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        foreach (var standIn in new[] { _sqs, _dynamo, _redis })
        {
            if (standIn is not null)
            {
                await standIn.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TwoFrontends_SeparateProcesses_LoginAndAccountWorkOnBothAndTokensResumeAcrossThem()
    {
        await StartAccountsAsync();
        var fe1 = await StartFrontendAsync(1);
        var fe2 = await StartFrontendAsync(2);

        await using var a = await MetaServerClient.ConnectAsync(fe1.WebSocketUri, CancellationToken.None);
        await using var b = await MetaServerClient.ConnectAsync(fe2.WebSocketUri, CancellationToken.None);
        var loginA = await a.LoginDeviceAsync("mp-device-a").WithTimeout("login on frontend 1");
        var loginB = await b.LoginDeviceAsync("mp-device-b").WithTimeout("login on frontend 2");
        var accountA = await a.GetAccountAsync().WithTimeout("account on frontend 1");
        var accountB = await b.GetAccountAsync().WithTimeout("account on frontend 2");

        Assert.True(loginA.Created);
        Assert.True(loginB.Created);
        Assert.NotEqual(loginA.Account.AccountId, loginB.Account.AccountId);
        Assert.Equal(loginA.Account.AccountId, accountA.Account.AccountId);
        Assert.Equal(loginB.Account.AccountId, accountB.Account.AccountId);

        // A token from frontend 1 resumes the same account on frontend 2, and the same device finds it again.
        await using var c = await MetaServerClient.ConnectAsync(fe2.WebSocketUri, CancellationToken.None);
        var resumed = await c.ResumeAsync(loginA.Token).WithTimeout("resume on frontend 2");
        await using var d = await MetaServerClient.ConnectAsync(fe2.WebSocketUri, CancellationToken.None);
        var again = await d.LoginDeviceAsync("mp-device-a").WithTimeout("second login of device a on frontend 2");

        Assert.Equal(loginA.Account.AccountId, resumed.Account.AccountId);
        Assert.False(again.Created);
        Assert.Equal(loginA.Account.AccountId, again.Account.AccountId);
    }

    [Fact]
    public async Task AccountsBackendKilledMidLoad_RestartedBackend_EveryRequestAnsweredOrExplicitError()
    {
        var accounts = await StartAccountsAsync();
        var frontends = new[] { await StartFrontendAsync(1), await StartFrontendAsync(2) };
        const int clients = 6;
        const int okBeforeKill = 5;
        const int okAfterRestart = 3;
        var codes = new ConcurrentBag<(int Client, ResultCode Code, bool AfterKill, bool AfterRestart)>();
        var warmedUp = new CountdownEvent(clients);
        var allWarm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawErrorAfterKill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killed = false;
        var restarted = false;

        async Task RunClientAsync(int n)
        {
            // The client's own timeout is far above the frontend's RequestTimeout: reaching it means a request hung.
            var options = new MetaServerClientOptions { RequestTimeout = TimeSpan.FromSeconds(60) };
            await using var client = await MetaServerClient.ConnectAsync(frontends[n % 2].WebSocketUri, options, CancellationToken.None);
            await client.LoginDeviceAsync($"mp-load-{n}");
            var ok = 0;
            var okAfter = 0;
            var warm = false;
            while (okAfter < okAfterRestart)
            {
                bool afterKill = Volatile.Read(ref killed), afterRestart = Volatile.Read(ref restarted);
                var reply = await client.SendAsync(new Envelope { GetAccount = new GetAccountRequest() });
                codes.Add((n, reply.Result.Code, afterKill, afterRestart));
                if (reply.Result.Code == ResultCode.Ok)
                {
                    ok++;
                    okAfter += afterRestart ? 1 : 0;
                }
                else if (afterKill)
                {
                    sawErrorAfterKill.TrySetResult();
                }

                if (!warm && ok >= okBeforeKill)
                {
                    warm = true;
                    if (warmedUp.Signal())
                    {
                        allWarm.TrySetResult();
                    }
                }
            }
        }

        var load = Task.WhenAll(Enumerable.Range(0, clients).Select(n => Task.Run(() => RunClientAsync(n))));
        await Task.WhenAny(allWarm.Task, load).Unwrap().WithTimeout("every client to get answers before the kill", TimeSpan.FromSeconds(90));

        Volatile.Write(ref killed, true);
        await accounts.KillAsync();
        await Task.WhenAny(sawErrorAfterKill.Task, load).Unwrap().WithTimeout("an explicit error while the backend is down", TimeSpan.FromSeconds(90));

        await StartAccountsAsync();
        Volatile.Write(ref restarted, true);
        await load.WithTimeout("every client to be answered again after the restart", TimeSpan.FromSeconds(120));

        var all = codes.ToList();
        Assert.All(all, c => Assert.Contains(c.Code, new[] { ResultCode.Ok, ResultCode.Timeout, ResultCode.Unavailable }));
        Assert.Contains(all, c => c.AfterKill && c.Code != ResultCode.Ok);
        Assert.All(Enumerable.Range(0, clients), n => Assert.Contains(all, c => c.Client == n && c.AfterRestart && c.Code == ResultCode.Ok));
    }

    private Dictionary<string, string> CommonEnvironment() => new()
    {
        ["MetaServer__DeploymentVersion"] = _version,
        ["MetaServer__Transport"] = "Sqs",
        ["MetaServer__Sqs__ServiceUrl"] = _sqs!.HttpEndpoint.ToString(),
        ["MetaServer__Sqs__Region"] = "us-east-1",
        ["MetaServer__Sqs__AccessKey"] = "test",
        ["MetaServer__Sqs__SecretKey"] = "test",
        ["MetaServer__Storage__Kind"] = "Redis",
        ["MetaServer__Redis__Configuration"] = _redis!.HostAndPort,
        ["MetaServer__Redis__KeyPrefix"] = "ms-" + _version,
        // A killed backend's messages come back quickly, and a frontend answers TIMEOUT soon.
        ["MetaServer__Pipelines__Default__VisibilityTimeout"] = "00:00:05",
        ["MetaServer__Pipelines__Default__ReceiveWaitTime"] = "00:00:02",
        ["MetaServer__Frontend__RequestTimeout"] = "00:00:03",
    };

    private async Task<ServiceProcess> StartAccountsAsync()
    {
        var env = CommonEnvironment();
        env["MetaServer__Accounts__Store"] = "DynamoDb";
        env["MetaServer__Accounts__DynamoDb__ServiceUrl"] = _dynamo!.HttpEndpoint.ToString();
        env["MetaServer__Accounts__DynamoDb__Region"] = "us-east-1";
        env["MetaServer__Accounts__DynamoDb__TableName"] = _version + "-accounts";
        env["MetaServer__Accounts__DynamoDb__CreateTableIfMissing"] = "true";
        env["MetaServer__Accounts__DynamoDb__AccessKeyId"] = "test";
        env["MetaServer__Accounts__DynamoDb__SecretAccessKey"] = "test";
        var service = await ServiceProcess.StartAsync("accounts", "MetaServer.Accounts.Host", env);
        _services.Add(service);
        return service;
    }

    private async Task<ServiceProcess> StartFrontendAsync(int n)
    {
        var env = CommonEnvironment();
        env["MetaServer__Frontend__InstanceId"] = $"fe-{_version}-{n}";
        env["MetaServer__Frontend__Tokens__SigningKey"] = _signingKey;
        var service = await ServiceProcess.StartAsync($"frontend-{n}", "MetaServer.Frontend.Host", env);
        _services.Add(service);
        return service;
    }
}
