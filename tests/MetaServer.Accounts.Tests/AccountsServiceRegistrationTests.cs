using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Sqlite;
using MetaServer.Accounts.Storage;
using Google.Protobuf;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Tests;

/// <summary>The DI extensions, started as a host so start-up validation runs.</summary>
public sealed class AccountsServiceRegistrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AddAccountsService_WithSqliteStore_StartsWithHandlersAndDatabaseUnderDataDir()
    {
        var dataDir = Path.Combine(_directory.Path, "data");
        using var host = Build(new() { ["MetaServer:DataDir"] = dataDir });

        await host.StartAsync();
        try
        {
            Assert.True(File.Exists(Path.Combine(dataDir, SqliteAccountStoreOptions.DefaultFileName)));
            var types = host.Services.GetServices<IMessageHandler>().Select(h => h.MessageType).Order().ToArray();
            Assert.Equal(
                new[]
                {
                    MessageTypes.AccountsGetAccount, MessageTypes.AccountsLoginDevice, MessageTypes.AccountsSetNickname, MessageTypes.AccountsSetLoadout,
                    MessageTypes.AccountsPurchase, MessageTypes.AccountsClaimQuest, MessageTypes.AccountsClaimDailyReward, MessageTypes.AccountsApplyMatchResult,
                    MessageTypes.AccountsLoginCustom, MessageTypes.AccountsLoginProvider, MessageTypes.AccountsLinkIdentity,
                    MessageTypes.AccountsUnlinkIdentity, MessageTypes.AccountsBanAccount, MessageTypes.AccountsUnbanAccount,
                    MessageTypes.AccountsGrantPurchase, MessageTypes.AccountsRevokePurchase,
                }.Order().ToArray(),
                types);
            Assert.IsType<SqliteAccountStore>(host.Services.GetRequiredService<IAccountStore>());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddSqliteAccountStore_ConfiguredPath_UsesThatFile()
    {
        var path = Path.Combine(_directory.Path, "elsewhere", "players.db");
        using var host = Build(new()
        {
            ["MetaServer:DataDir"] = Path.Combine(_directory.Path, "data"),
            ["MetaServer:Accounts:Sqlite:Path"] = path,
        });

        await host.StartAsync();
        await host.StopAsync();

        Assert.True(File.Exists(path));
        Assert.Equal(path, host.Services.GetRequiredService<SqliteAccountStore>().DatabasePath);
    }

    [Fact]
    public async Task StartAsync_BrokenMigrationChain_FailsAtStartup()
    {
        using var host = Build(
            new() { ["MetaServer:DataDir"] = _directory.Path },
            services => services.AddSingleton<IAccountMigration, AddLevelMigration>());

        var error = await Assert.ThrowsAsync<AccountMigrationException>(() => host.StartAsync());

        Assert.Contains(nameof(AddLevelMigration), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidAccountsOptions_FailsAtStartup()
    {
        using var host = Build(new()
        {
            ["MetaServer:DataDir"] = _directory.Path,
            ["MetaServer:Accounts:MaxUpdateAttempts"] = "0",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("MaxUpdateAttempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NoAccountStore_FailsAtStartup()
    {
        using var host = Build(new() { ["MetaServer:DataDir"] = _directory.Path }, withStore: false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains(nameof(IAccountStore), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMessagePipelines_LoginAndGetAccountSentOnQueues_RepliesArriveOnReplyQueue()
    {
        using var host = Build(
            new()
            {
                ["MetaServer:DataDir"] = _directory.Path,
                ["MetaServer:Pipelines:Default:ReceiveWaitTime"] = "00:00:01",
            },
            services => services.AddMessagePipelines());
        await host.StartAsync();
        try
        {
            var transport = host.Services.GetRequiredService<IMessageTransport>();
            var names = host.Services.GetRequiredService<QueueNames>();
            var replyQueue = names.ReplyQueue("fe-accounts-test");
            await transport.CreateQueueAsync(replyQueue, new QueueSettings());

            await SendAsync(transport, names, MessageTypes.AccountsLoginDevice, new LoginDeviceCommand { DeviceId = "pipeline-phone" }, replyQueue, "corr-login");
            var (loginEnvelope, login) = await ReceiveResultAsync(transport, replyQueue).WithTimeout("login reply");

            Assert.Equal("corr-login", loginEnvelope.CorrelationId);
            Assert.Equal(ResultCode.Ok, login.Result.Code);
            Assert.True(login.Created);
            Assert.Equal(login.Account.AccountId, loginEnvelope.PlayerId);

            await SendAsync(transport, names, MessageTypes.AccountsGetAccount, new GetAccountQuery { AccountId = login.Account.AccountId }, replyQueue, "corr-get");
            var (getEnvelope, get) = await ReceiveResultAsync(transport, replyQueue).WithTimeout("get-account reply");

            Assert.Equal("corr-get", getEnvelope.CorrelationId);
            Assert.Equal(login.Account, get.Account);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task SendAsync(IMessageTransport transport, QueueNames names, string messageType, IMessage payload, string replyQueue, string correlationId)
    {
        var envelope = new MessageEnvelope
        {
            MessageType = messageType,
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = correlationId,
            ReplyTo = replyQueue,
            DeploymentVersion = names.Prefix,
            Payload = payload.ToByteArray(),
        };
        await transport.SendAsync(names.ForMessageType(messageType), EnvelopeCodec.Encode(envelope));
    }

    private static async Task<(MessageEnvelope Envelope, AccountResult Result)> ReceiveResultAsync(IMessageTransport transport, string queue)
    {
        // Stops polling once the caller's wait (Eventually.WithTimeout) has given up.
        using var deadline = new CancellationTokenSource(Eventually.DefaultTimeout);
        while (true)
        {
            var received = await transport.ReceiveAsync(queue, new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(1) }, deadline.Token);
            if (received.Count > 0)
            {
                await transport.DeleteAsync(queue, received[0].ReceiptHandle);
                var envelope = EnvelopeCodec.Decode(received[0].Body);
                Assert.Equal(MessageTypes.AccountsAccountResult, envelope.MessageType);
                return (envelope, AccountResult.Parser.ParseFrom(envelope.Payload.Span));
            }
        }
    }

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null, bool withStore = true)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddAccountsService(builder.Configuration);
        if (withStore)
        {
            builder.Services.AddSqliteAccountStore();
        }

        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
