using MetaServer.Hosting;
using MetaServer.Matches.DynamoDb;
using MetaServer.Matches.Sqlite;
using MetaServer.Matches.Storage;
using MetaServer.Matches.Stores;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Storage;

/// <summary><c>AddConfiguredMatchStore</c> in a started host: the kind key, each store's options and start-up checks.</summary>
public sealed class MatchStoreSelectionTests(DynaliteFixture dynalite) : IClassFixture<DynaliteFixture>, IDisposable
{
    private const string Dynamo = DynamoDbMatchStoreOptions.SectionName;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sqlite")]
    [InlineData(" Sqlite ")]
    public async Task AddConfiguredMatchStore_KindUnsetOrSqlite_UsesSqliteFileUnderDataDir(string? kind)
    {
        using var host = Build(new() { [MatchStoreSelection.KindKey] = kind });

        await host.StartAsync().WithTimeout("host start");
        try
        {
            var store = Assert.IsType<SqliteMatchStore>(host.Services.GetRequiredService<IMatchStore>());
            Assert.Equal(Path.Combine(_folder.Path, SqliteMatchStoreOptions.DefaultFileName), store.DatabasePath);
            Assert.True(File.Exists(store.DatabasePath), "the database is created at start");
            Assert.Equal(1, await store.TryWriteAsync("match#m", new byte[] { 1 }, 0, null));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddConfiguredMatchStore_SqlitePathConfigured_UsesThatFile()
    {
        var path = Path.Combine(_folder.Path, "elsewhere", "m.db");
        using var host = Build(new() { [$"{SqliteMatchStoreOptions.SectionName}:Path"] = path });

        await host.StartAsync().WithTimeout("host start");
        await host.StopAsync();

        Assert.Equal(path, Assert.IsType<SqliteMatchStore>(host.Services.GetRequiredService<IMatchStore>()).DatabasePath);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task AddConfiguredMatchStore_DynamoDbCreateTableIfMissing_StartsOnVersionPrefixedTable()
    {
        var version = "t" + Guid.NewGuid().ToString("N")[..12];
        using var host = Build(DynamoSettings(new()
        {
            [MatchStoreSelection.KindKey] = "DynamoDb",
            ["MetaServer:DeploymentVersion"] = version,
            [$"{Dynamo}:CreateTableIfMissing"] = "true",
        }));

        await host.StartAsync().WithTimeout("host start");
        try
        {
            var store = Assert.IsType<DynamoDbMatchStore>(host.Services.GetRequiredService<IMatchStore>());
            Assert.Equal($"{version}-matches", store.TableName);
            Assert.Equal(1, await store.TryWriteAsync("match#m", new byte[] { 1 }, 0, null));
        }
        finally
        {
            await host.StopAsync();
            await dynalite.DeleteTableAsync($"{version}-matches");
        }
    }

    [Fact]
    public async Task StartAsync_DynamoDbTableMissingAndNotCreated_FailsAtStartup()
    {
        var table = DynaliteFixture.NewTableName();
        using var host = Build(DynamoSettings(new() { [MatchStoreSelection.KindKey] = "DynamoDb", [$"{Dynamo}:TableName"] = table }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WithTimeout("host start"));

        Assert.Contains(table, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ServiceUrl", "not a url")]
    [InlineData("Region", "Mars")]
    [InlineData("TableName", "bad name!")]
    [InlineData("MaxErrorRetry", "-1")]
    [InlineData("RequestTimeout", "00:00:00")]
    public async Task StartAsync_InvalidDynamoDbSetting_FailsValidationNamingIt(string key, string value)
    {
        using var host = Build(DynamoSettings(new() { [MatchStoreSelection.KindKey] = "DynamoDb", [$"{Dynamo}:{key}"] = value }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_SecretWithoutAccessKeyId_FailsValidationWithoutShowingSecret()
    {
        using var host = Build(DynamoSettings(new()
        {
            [MatchStoreSelection.KindKey] = "DynamoDb",
            [$"{Dynamo}:AccessKeyId"] = "",
            [$"{Dynamo}:SecretAccessKey"] = "very-secret-value",
        }));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AccessKeyId", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidSqliteBusyTimeout_FailsValidation()
    {
        using var host = Build(new() { [$"{SqliteMatchStoreOptions.SectionName}:BusyTimeout"] = "01:00:00" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("BusyTimeout", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redis")]
    [InlineData("dynamo")]
    public void AddConfiguredMatchStore_UnknownKind_ThrowsNamingKeyAndChoices(string kind)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { [MatchStoreSelection.KindKey] = kind }));

        Assert.Contains(MatchStoreSelection.KindKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        Assert.Contains("DynamoDb", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ExplicitCredentials_DoesNotShowThem()
    {
        var text = new DynamoDbMatchStoreOptions { AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = "very-secret-value" }.ToString();

        Assert.DoesNotContain("very-secret-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIDEXAMPLE", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "v7", "v7-matches")]
    [InlineData(" ", "v7", "v7-matches")]
    [InlineData("metaserver-prod-matches", "v7", "metaserver-prod-matches")]
    public void ResolveTableName_ConfiguredOrDefault_ReturnsName(string? configured, string version, string expected)
    {
        Assert.Equal(expected, new DynamoDbMatchStoreOptions { TableName = configured }.ResolveTableName(version));
    }

    private Dictionary<string, string?> DynamoSettings(Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"{Dynamo}:ServiceUrl"] = dynalite.StandIn.HttpEndpoint.ToString(),
            [$"{Dynamo}:Region"] = "us-east-1",
            [$"{Dynamo}:AccessKeyId"] = "test",
            [$"{Dynamo}:SecretAccessKey"] = "test",
            [$"{Dynamo}:MaxErrorRetry"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>A host with the data folder in the test's temp folder; <paramref name="settings"/> override.</summary>
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
        builder.Services.AddConfiguredMatchStore(builder.Configuration);
        return builder.Build();
    }
}
