using MetaServer.Hosting;
using MetaServer.Storage.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Storage.Tests;

[Collection(RedisCollection.Name)]
public sealed class StorageRegistrationTests(RedisFixture redis)
{
    private static IHost Build(Dictionary<string, string?> settings, HostLayout layout = HostLayout.AllInOne)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMetaServerCore(builder.Configuration);
        builder.Services.AddMetaServerStorage(builder.Configuration, layout);
        return builder.Build();
    }

    [Fact]
    public async Task AddMetaServerStorage_Default_RegistersEmbeddedImplementationsWithConfiguredTtl()
    {
        using var host = Build(new() { ["MetaServer:Storage:AccountSummaryTtl"] = "00:02:00" });
        await host.StartAsync();

        Assert.IsType<EmbeddedLeaderboard>(host.Services.GetRequiredService<ILeaderboard>());
        Assert.Same(host.Services.GetRequiredService<ILeaderboardStore>().Get(ILeaderboardStore.RatingBoardId), host.Services.GetRequiredService<ILeaderboard>());
        Assert.Equal(TimeSpan.FromMinutes(2), Assert.IsType<EmbeddedAccountSummaryCache>(host.Services.GetRequiredService<IAccountSummaryCache>()).TimeToLive);
        Assert.IsType<EmbeddedSessionRegistry>(host.Services.GetRequiredService<ISessionRegistry>());
        Assert.NotNull(host.Services.GetRequiredService<PlayerEventPublisher>());
        await host.StopAsync();
    }

    [Fact]
    public async Task AddMetaServerStorage_RedisWithoutConfiguration_FailsAtStart()
    {
        using var host = Build(new() { ["MetaServer:Storage:Kind"] = "Redis" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("MetaServer:Redis:Configuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMetaServerStorage_UnknownKind_FailsAtStart()
    {
        using var host = Build(new() { ["MetaServer:Storage:Kind"] = "Floppy" });

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());
    }

    [Fact]
    public async Task AddMetaServerStorage_EmbeddedInSeparateProcess_FailsAtStart()
    {
        using var host = Build(new() { ["MetaServer:Storage:Kind"] = "Embedded" }, HostLayout.SeparateProcess);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("MetaServer:Storage:Kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMetaServerStorage_Redis_UsesRedisWithVersionedCacheAndSharedLeaderboardKeys()
    {
        var version = "t" + Guid.NewGuid().ToString("N")[..8];
        using var host = Build(new()
        {
            ["MetaServer:DeploymentVersion"] = version,
            ["MetaServer:Storage:Kind"] = "Redis",
            ["MetaServer:Storage:AccountSummaryTtl"] = "00:03:00",
            ["MetaServer:Redis:Configuration"] = redis.Configuration,
            ["MetaServer:Redis:KeyPrefix"] = $"ms{version}",
        });
        await host.StartAsync();

        var leaderboard = host.Services.GetRequiredService<ILeaderboard>();
        await leaderboard.SubmitAsync("p1", 10, ScoreUpdate.Replace);
        var cache = host.Services.GetRequiredService<IAccountSummaryCache>();
        await cache.SetAsync(new AccountSummary { AccountId = "a1", Revision = 1, Nickname = "n" });
        await host.Services.GetRequiredService<ISessionRegistry>().RegisterAsync(new SessionLocation("p1", "s1", "fe", "q"), TimeSpan.FromMinutes(1));

        Assert.IsType<RedisLeaderboard>(leaderboard);
        // The leaderboard and the session registry are shared by every deployment version; the cache is per version.
        Assert.Equal(1, await redis.Database.SortedSetLengthAsync($"ms{version}:lb:rating"));
        Assert.InRange((await redis.PttlAsync($"ms{version}:{version}:acct:a1"))!.Value, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3));
        Assert.True(await redis.Database.KeyExistsAsync($"ms{version}:sess:p1"));
        await host.StopAsync();
    }
}
