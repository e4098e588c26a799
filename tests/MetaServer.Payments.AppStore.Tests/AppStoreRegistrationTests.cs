using MetaServer.Payments.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.AppStore.Tests;

public sealed class AppStoreRegistrationTests : IDisposable
{
    private readonly TestCertificates _apple = TestCertificates.Create("Test Apple");
    private readonly string _directory = Directory.CreateTempSubdirectory("appstore-tests-").FullName;

    public void Dispose()
    {
        _apple.Dispose();
        Directory.Delete(_directory, true);
    }

    [Fact]
    public async Task AddAppStoreVerification_RootFromPemFile_RegistersVerifiersThatAcceptTestTransactions()
    {
        var path = Path.Combine(_directory, "root.pem");
        await File.WriteAllTextAsync(path, _apple.Root.ExportCertificatePem());
        using var provider = Build(new() { ["BundleId"] = TestJws.BundleId, ["Environment"] = "Production", ["RootCertificatePath"] = path });

        var verifier = Assert.Single(provider.GetServices<IPurchaseVerifier>());
        var notifications = provider.GetRequiredService<IAppStoreNotificationVerifier>();
        var result = await verifier.VerifyAsync(new PurchaseProof(PurchaseStore.AppStore, TestJws.Sign(_apple, TestJws.Transaction()), null), CancellationToken.None);

        Assert.Equal(PurchaseStore.AppStore, verifier.Store);
        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
        Assert.Same(verifier, notifications);
    }

    [Fact]
    public async Task AddAppStoreVerification_RootFromDerFile_Accepts()
    {
        var path = Path.Combine(_directory, "root.cer");
        await File.WriteAllBytesAsync(path, _apple.Root.RawData);
        using var provider = Build(new() { ["BundleId"] = TestJws.BundleId, ["Environment"] = "Production", ["RootCertificatePath"] = path });

        var result = await provider.GetRequiredService<IPurchaseVerifier>().VerifyAsync(new PurchaseProof(PurchaseStore.AppStore, TestJws.Sign(_apple, TestJws.Transaction()), null), CancellationToken.None);

        Assert.Equal(VerificationVerdict.Valid, result.Verdict);
    }

    [Theory]
    [InlineData(null, "Production", "root")]
    [InlineData(TestJws.BundleId, "Staging", "Environment")]
    [InlineData(TestJws.BundleId, "", "Environment")]
    [InlineData("", "Production", "BundleId")]
    public void AddAppStoreVerification_InvalidOptions_FailsAtStartUp(string? bundleId, string environment, string expected)
    {
        var settings = new Dictionary<string, string?> { ["BundleId"] = bundleId ?? TestJws.BundleId, ["Environment"] = environment };
        if (bundleId is not null)
        {
            settings["RootCertificateBase64"] = Convert.ToBase64String(_apple.Root.RawData);
        }

        using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AppStoreOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAppStoreVerification_BothRootSources_FailsAtStartUp()
    {
        using var provider = Build(new()
        {
            ["BundleId"] = TestJws.BundleId,
            ["Environment"] = "Production",
            ["RootCertificateBase64"] = Convert.ToBase64String(_apple.Root.RawData),
            ["RootCertificatePath"] = Path.Combine(_directory, "root.pem"),
        });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AppStoreOptions>>().Value);
    }

    [Theory]
    [InlineData("missing.pem", null)]
    [InlineData(null, "bm90IGEgY2VydGlmaWNhdGU=")]
    [InlineData(null, "%%%not base64")]
    public void AddAppStoreVerification_UnreadableRoot_FailsAtStartUp(string? file, string? base64)
    {
        using var provider = Build(new()
        {
            ["BundleId"] = TestJws.BundleId,
            ["Environment"] = "Production",
            ["RootCertificatePath"] = file is null ? null : Path.Combine(_directory, file),
            ["RootCertificateBase64"] = base64,
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AppStoreOptions>>().Value);
        Assert.Contains("can't be loaded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsAppStoreConfigured_SectionPresentOrAbsent_Reports()
    {
        var configured = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [AppStoreOptions.SectionName + ":BundleId"] = "x" }).Build();
        var absent = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MetaServer:Payments:Store:Kind"] = "Sqlite" }).Build();

        Assert.True(configured.IsAppStoreConfigured());
        Assert.False(absent.IsAppStoreConfigured());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => AppStoreOptions.SectionName + ":" + kv.Key, kv => kv.Value))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAppStoreVerification(configuration);
        return services.BuildServiceProvider();
    }
}
