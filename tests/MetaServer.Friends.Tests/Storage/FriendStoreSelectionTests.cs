using MetaServer.Friends.DynamoDb;
using MetaServer.Friends.Leaderboards;
using MetaServer.Friends.Sqlite;
using MetaServer.Friends.Storage;
using MetaServer.Friends.Stores;
using MetaServer.Hosting;
using MetaServer.Matches.Leaderboards;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Tests.Storage;

/// <summary><c>AddConfiguredFriendStore</c> in a started host (the kind key, each store's start-up), and the leaderboard friend source.</summary>
public sealed class FriendStoreSelectionTests(DynaliteFixture dynalite) : IClassFixture<DynaliteFixture>, IDisposable
{
    private const string Dynamo = DynamoDbFriendStoreOptions.SectionName;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("sqlite")]
    [InlineData(" Sqlite ")]
    public async Task AddConfiguredFriendStore_KindUnsetOrSqlite_UsesSqliteFileUnderDataDir(string? kind)
    {
        using var host = Build(new() { [FriendStoreSelection.KindKey] = kind });

        await host.StartAsync().WithTimeout("host start");
        try
        {
            var store = Assert.IsType<SqliteFriendStore>(host.Services.GetRequiredService<IFriendStore>());
            Assert.Equal(Path.Combine(_folder.Path, SqliteFriendStoreOptions.DefaultFileName), store.DatabasePath);
            Assert.True(File.Exists(store.DatabasePath), "the database is created at start");
            Assert.Equal(1, await store.TryWriteAsync("graph#a", new byte[] { 1 }, 0));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddConfiguredFriendStore_DynamoDbCreateTableIfMissing_StartsOnVersionPrefixedTable()
    {
        var version = "t" + Guid.NewGuid().ToString("N")[..12];
        using var host = Build(new()
        {
            [FriendStoreSelection.KindKey] = "DynamoDb",
            ["MetaServer:DeploymentVersion"] = version,
            [$"{Dynamo}:CreateTableIfMissing"] = "true",
            [$"{Dynamo}:ServiceUrl"] = dynalite.StandIn.HttpEndpoint.ToString(),
            [$"{Dynamo}:Region"] = "us-east-1",
            [$"{Dynamo}:AccessKeyId"] = "test",
            [$"{Dynamo}:SecretAccessKey"] = "test",
        });

        await host.StartAsync().WithTimeout("host start");
        try
        {
            var store = Assert.IsType<DynamoDbFriendStore>(host.Services.GetRequiredService<IFriendStore>());
            Assert.Equal($"{version}-friends", store.TableName);
            Assert.Equal(1, await store.TryWriteAsync("graph#a", new byte[] { 1 }, 0));
        }
        finally
        {
            await host.StopAsync();
            await dynalite.DeleteTableAsync($"{version}-friends");
        }
    }

    [Fact]
    public async Task StartAsync_InvalidSqliteBusyTimeout_FailsValidation()
    {
        using var host = Build(new() { [$"{SqliteFriendStoreOptions.SectionName}:BusyTimeout"] = "01:00:00" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("BusyTimeout", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redis")]
    [InlineData("dynamo")]
    public void AddConfiguredFriendStore_UnknownKind_ThrowsNamingKeyAndChoices(string kind)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { [FriendStoreSelection.KindKey] = kind }));

        Assert.Contains(FriendStoreSelection.KindKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddFriendsLeaderboardSource_AfterNoFriendListSource_ReplacesItAndListsFriends()
    {
        var services = new ServiceCollection();
        var store = new InMemoryFriendStore();
        services.AddSingleton<IFriendStore>(store);
        services.AddSingleton<IFriendListSource, NoFriendListSource>();
        services.AddFriendsLeaderboardSource();
        using var provider = services.BuildServiceProvider();
        using var harness = new FriendsHarness();
        await harness.MakeFriendsAsync("alice", "bob");
        var graph = await harness.Get<IFriendStore>().GetAsync(FriendStoreKeys.Graph("alice"));
        await store.TryWriteAsync(FriendStoreKeys.Graph("alice"), graph!.Value, 0);

        var source = Assert.IsType<FriendGraphFriendListSource>(provider.GetRequiredService<IFriendListSource>());

        Assert.Equal(["bob"], await source.GetFriendIdsAsync("alice", CancellationToken.None));
        Assert.Empty((await source.GetFriendIdsAsync("nobody", CancellationToken.None))!);
    }

    private IHost Build(Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["MetaServer:DataDir"] = _folder.Path };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(all);
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddConfiguredFriendStore(builder.Configuration);
        return builder.Build();
    }
}
