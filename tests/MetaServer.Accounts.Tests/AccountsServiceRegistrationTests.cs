using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Sqlite;
using MetaServer.Accounts.Storage;
using MetaServer.Hosting;
using MetaServer.Pipelines;
using MetaServer.Protocol;
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
            Assert.Equal([MessageTypes.AccountsGetAccount, MessageTypes.AccountsLoginDevice], types);
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
