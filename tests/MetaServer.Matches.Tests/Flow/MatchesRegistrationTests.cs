using MetaServer.GameConfig;
using MetaServer.Matches.Service;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MetaServer.Matches.Tests.Flow;

public sealed class MatchesRegistrationTests
{
    [Fact]
    public void AddMatchesService_RegistersEveryFlowHandler()
    {
        using var harness = new FlowHarness();

        Assert.Subset(
            harness.Handlers.Keys.ToHashSet(),
            new HashSet<string>
            {
                MessageTypes.MatchesStartMatchmaking,
                MessageTypes.MatchesStartPartyMatchmaking,
                MessageTypes.MatchesCancelMatchmaking,
                MessageTypes.MatchesAcceptMatch,
                MessageTypes.MatchesGetMatchmakingStatus,
                MessageTypes.MatchesPlayerDisconnected,
            });
        Assert.IsType<MatchmakingEventApplier>(harness.Events);
    }

    [Fact]
    public async Task StartupCheck_NoStoreOrMatchmaker_HostRefusesToStart()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(FlowHarness.Config);
        services.AddMatchesService(new ConfigurationBuilder().Build());
        await using var provider = services.BuildServiceProvider();
        var check = provider.GetServices<IHostedService>().Single(s => s.GetType().Name == "MatchesStartupCheck");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => check.StartAsync(CancellationToken.None));

        Assert.Contains("IMatchStore", ex.Message, StringComparison.Ordinal);
    }
}
