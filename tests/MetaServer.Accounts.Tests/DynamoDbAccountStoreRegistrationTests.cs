using MetaServer.Accounts.DynamoDb;
using MetaServer.Accounts.Storage;
using MetaServer.Hosting;
using MetaServer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Tests;

/// <summary><c>AddDynamoDbAccountStore()</c> in a started host: configuration keys, validation and the table check at start.</summary>
public sealed class DynamoDbAccountStoreRegistrationTests(DynaliteFixture dynalite) : IClassFixture<DynaliteFixture>
{
    private const string Section = DynamoDbAccountStoreOptions.SectionName;

    [Fact]
    public async Task AddDynamoDbAccountStore_CreateTableIfMissing_StartsOnVersionPrefixedTable()
    {
        var version = "t" + Guid.NewGuid().ToString("N")[..12];
        using var host = Build(new()
        {
            ["MetaServer:DeploymentVersion"] = version,
            [$"{Section}:CreateTableIfMissing"] = "true",
        });

        await host.StartAsync().WithTimeout("host start");
        try
        {
            var store = Assert.IsType<DynamoDbAccountStore>(host.Services.GetRequiredService<IAccountStore>());
            Assert.Equal($"{version}-accounts", store.TableName);
            var device = TestAccounts.NewDeviceId();
            var created = await store.CreateForDeviceAsync(device, TestAccounts.New(device), CancellationToken.None);
            Assert.Equal(created.Account.AccountId, (await store.FindByDeviceAsync(device, CancellationToken.None))?.AccountId);
        }
        finally
        {
            await host.StopAsync();
            await dynalite.DeleteTableAsync($"{version}-accounts");
        }
    }

    [Fact]
    public async Task StartAsync_ConfiguredTableMissingAndNotCreated_FailsAtStartup()
    {
        var table = DynaliteFixture.NewTableName();
        using var host = Build(new() { [$"{Section}:TableName"] = table });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WithTimeout("host start"));

        Assert.Contains(table, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_SecretWithoutAccessKeyId_FailsValidationWithoutShowingSecret()
    {
        using var host = Build(new()
        {
            [$"{Section}:AccessKeyId"] = "",
            [$"{Section}:SecretAccessKey"] = "very-secret-value",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AccessKeyId", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ServiceUrl", "not a url")]
    [InlineData("ServiceUrl", "ftp://127.0.0.1/")]
    [InlineData("Region", "Mars")]
    [InlineData("TableName", "a")]
    [InlineData("TableName", "bad name!")]
    [InlineData("MaxErrorRetry", "-1")]
    [InlineData("RequestTimeout", "00:00:00")]
    public async Task StartAsync_InvalidSetting_FailsValidationNamingIt(string key, string value)
    {
        using var host = Build(new() { [$"{Section}:{key}"] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ExplicitCredentials_DoesNotShowThem()
    {
        var options = new DynamoDbAccountStoreOptions { AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = "very-secret-value" };

        var text = options.ToString();

        Assert.DoesNotContain("very-secret-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIDEXAMPLE", text, StringComparison.Ordinal);
        Assert.Contains("explicit", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "v7", "v7-accounts")]
    [InlineData("", "v7", "v7-accounts")]
    [InlineData("prod-metaserver-accounts", "v7", "prod-metaserver-accounts")]
    public void ResolveTableName_ConfiguredOrDefault_ReturnsName(string? configured, string version, string expected)
    {
        Assert.Equal(expected, new DynamoDbAccountStoreOptions { TableName = configured }.ResolveTableName(version));
    }

    /// <summary>A host on the stand-in with explicit fake credentials; <paramref name="settings"/> override.</summary>
    private IHost Build(Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["MetaServer:DataDir"] = Path.GetTempPath(),
            [$"{Section}:ServiceUrl"] = dynalite.StandIn.HttpEndpoint.ToString(),
            [$"{Section}:Region"] = "us-east-1",
            [$"{Section}:AccessKeyId"] = "test",
            [$"{Section}:SecretAccessKey"] = "test",
            [$"{Section}:MaxErrorRetry"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(all);
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddAccountsService(builder.Configuration);
        builder.Services.AddDynamoDbAccountStore();
        return builder.Build();
    }
}
