using MetaServer.Hosting;
using MetaServer.Payments.Handlers;
using MetaServer.Payments.Sqlite;
using MetaServer.Payments.Storage;
using MetaServer.Payments.Stores;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.Tests;

public sealed class PaymentsRegistrationTests
{
    [Fact]
    public async Task AddPaymentsService_EmbeddedDefaults_StartsWithHandlersAndSqliteLedgerUnderDataDir()
    {
        using var folder = new Storage.TempDirectory();
        using var host = Build(folder.Path);

        await host.StartAsync();
        try
        {
            var types = host.Services.GetServices<IMessageHandler>().Select(h => h.MessageType).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(
                new[]
                {
                    MessageTypes.PaymentsRedeemPurchase, MessageTypes.PaymentsPurchaseGranted, MessageTypes.PaymentsCompletePurchase,
                    MessageTypes.PaymentsStoreRefund, MessageTypes.PaymentsPurchaseRevoked,
                }.Order(StringComparer.Ordinal),
                types);
            Assert.IsType<SqlitePaymentStore>(host.Services.GetRequiredService<IPaymentStore>());
            Assert.True(File.Exists(Path.Combine(folder.Path, SqlitePaymentStoreOptions.DefaultFileName)));
            Assert.Equal(ClawbackPolicyOption.FlagAccount, host.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Clawback.Policy);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddPaymentsService_ClawbackPolicyFromConfiguration_IsBound()
    {
        using var folder = new Storage.TempDirectory();
        using var host = Build(folder.Path, ("MetaServer:Payments:Clawback:Policy", "AllowNegativeBalance"));

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(ClawbackPolicyOption.AllowNegativeBalance, host.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Clawback.Policy);
    }

    [Fact]
    public async Task AddPaymentsService_BadPollInterval_FailsAtStartNamingTheKey()
    {
        using var folder = new Storage.TempDirectory();
        using var host = Build(folder.Path, ("MetaServer:Payments:GoogleVoidedPurchases:PollInterval", "00:00:00"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("GoogleVoidedPurchases", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, PaymentStoreKind.Sqlite)]
    [InlineData("sqlite", PaymentStoreKind.Sqlite)]
    [InlineData("DynamoDb", PaymentStoreKind.DynamoDb)]
    public void Resolve_Kind_IsCaseInsensitiveWithSqliteDefault(string? value, PaymentStoreKind expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PaymentStoreSelection.KindKey] = value }).Build();

        Assert.Equal(expected, PaymentStoreSelection.Resolve(configuration));
    }

    [Fact]
    public void Resolve_UnknownKind_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PaymentStoreSelection.KindKey] = "Postgres" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => PaymentStoreSelection.Resolve(configuration));

        Assert.Contains("MetaServer:Payments:Store:Kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PurchaseVerifiers_TwoForOneStore_Throw()
    {
        var a = new FakeVerifier(Verification.PurchaseStore.AppStore);
        var b = new FakeVerifier(Verification.PurchaseStore.AppStore);

        Assert.Throws<InvalidOperationException>(() => new Service.PurchaseVerifiers([a, b]));
    }

    private static IHost Build(string dataDir, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaServer:DataDir"] = dataDir,
            ["MetaServer:DeploymentVersion"] = "test",
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddPaymentsService(builder.Configuration);
        builder.Services.AddConfiguredPaymentStore(builder.Configuration);
        return builder.Build();
    }
}
