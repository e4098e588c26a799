using System.Collections.Immutable;
using System.Net;
using MetaServer.Matchmaking.Offline;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.GameLift.Tests;

public sealed class GameLiftMatchmakerTests
{
    [Fact]
    public async Task StartMatchmakingAsync_Player_MapsAttributesAndLatency()
    {
        var client = new FakeClient();
        var matchmaker = new GameLiftMatchmaker(client);
        var attributes = ImmutableDictionary<string, RuleSets.AttributeValue>.Empty
            .Add("skill", new NumberAttributeValue(1200))
            .Add("mode", new StringAttributeValue("ranked"))
            .Add("maps", new StringListAttributeValue(["harbor", "dunes"]))
            .Add("ranks", new StringNumberMapAttributeValue(ImmutableDictionary<string, double>.Empty.Add("tank", 3)));

        await matchmaker.StartMatchmakingAsync(new MatchmakingTicketRequest("t-1", "duel", [new MatchmakingPlayer("p-1", attributes, new Dictionary<string, int> { ["eu-west-1"] = 40 })]));

        var request = Assert.IsType<StartMatchmakingRequest>(Assert.Single(client.Requests));
        Assert.Equal("t-1", request.TicketId);
        Assert.Equal("duel", request.ConfigurationName);
        var player = Assert.Single(request.Players);
        Assert.Equal(1200, player.PlayerAttributes!["skill"].N);
        Assert.Equal("ranked", player.PlayerAttributes["mode"].S);
        Assert.Equal(["harbor", "dunes"], player.PlayerAttributes["maps"].SL!);
        Assert.Equal(3, player.PlayerAttributes["ranks"].SDM!["tank"]);
        Assert.Equal(40, player.LatencyInMs!["eu-west-1"]);
    }

    [Theory]
    [InlineData(GameLiftErrorCodes.InvalidRequest, MatchmakerErrorCode.InvalidRequest)]
    [InlineData(GameLiftErrorCodes.NotFound, MatchmakerErrorCode.NotFound)]
    [InlineData(GameLiftErrorCodes.UnsupportedRegion, MatchmakerErrorCode.UnsupportedRegion)]
    [InlineData(GameLiftErrorCodes.Throttling, MatchmakerErrorCode.Unavailable)]
    [InlineData(GameLiftErrorCodes.InternalService, MatchmakerErrorCode.Unavailable)]
    public async Task AcceptMatchAsync_GameLiftError_MapsToMatchmakerCode(string gameLiftCode, MatchmakerErrorCode expected)
    {
        var client = new FakeClient { Failure = new GameLiftException(gameLiftCode, "no", HttpStatusCode.BadRequest, "req-1") };

        var ex = await Assert.ThrowsAsync<MatchmakerException>(() => new GameLiftMatchmaker(client).AcceptMatchAsync("t-1", ["p-1"], accept: false));

        Assert.Equal(expected, ex.Code);
        Assert.Equal(AcceptanceType.Reject, Assert.IsType<AcceptMatchRequest>(Assert.Single(client.Requests)).AcceptanceType);
    }

    [Fact]
    public async Task StopMatchmakingAsync_UnknownTicket_DoesNothing()
    {
        var client = new FakeClient { Failure = new GameLiftException(GameLiftErrorCodes.NotFound, "no", HttpStatusCode.BadRequest, "req-1") };

        await new GameLiftMatchmaker(client).StopMatchmakingAsync("t-1");

        Assert.Equal("t-1", Assert.IsType<StopMatchmakingRequest>(Assert.Single(client.Requests)).TicketId);
    }

    [Fact]
    public async Task AddMatchmaker_UnknownKind_HostRefusesToStartNamingTheKey()
    {
        using var host = BuildHost(new() { ["MetaServer:Matchmaking:Kind"] = "Magic" });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));

        Assert.Contains("MetaServer:Matchmaking:Kind: 'Magic' is not a matchmaker", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMatchmaker_OfflineWithoutBuilderFactory_HostRefusesToStart()
    {
        using var host = BuildHost([]);

        // The hosted services are built before options are validated, so the matchmaker's own check may answer first.
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(CancellationToken.None));

        Assert.True(ex is OptionsValidationException or InvalidOperationException, ex.GetType().Name);
        Assert.Contains("needs an IMatchBuilderFactory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMatchmaker_GameLiftKind_ResolvesGameLiftMatchmaker()
    {
        using var host = BuildHost(new() { ["MetaServer:Matchmaking:Kind"] = "GameLift", ["MetaServer:GameLift:Region"] = "eu-west-1" });

        Assert.IsType<GameLiftMatchmaker>(host.Services.GetRequiredService<IMatchmaker>());
        Assert.Empty(host.Services.GetServices<IHostedService>().OfType<OfflineMatchmakerService>());
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new QueueNames("v1"));
        builder.Services.AddSingleton<IMessageTransport>(new EmbeddedTransport(TimeProvider.System));
        builder.Services.AddMatchmaker(builder.Configuration);
        return builder.Build();
    }

    private sealed class FakeClient : IGameLiftClient
    {
        public List<object> Requests { get; } = [];

        public GameLiftException? Failure { get; init; }

        public Task<StartMatchmakingResponse> StartMatchmakingAsync(StartMatchmakingRequest request, CancellationToken cancellationToken = default) =>
            Answer(request, new StartMatchmakingResponse());

        public Task<StopMatchmakingResponse> StopMatchmakingAsync(StopMatchmakingRequest request, CancellationToken cancellationToken = default) =>
            Answer(request, new StopMatchmakingResponse());

        public Task<AcceptMatchResponse> AcceptMatchAsync(AcceptMatchRequest request, CancellationToken cancellationToken = default) =>
            Answer(request, new AcceptMatchResponse());

        public Task<DescribeMatchmakingResponse> DescribeMatchmakingAsync(DescribeMatchmakingRequest request, CancellationToken cancellationToken = default) =>
            Answer(request, new DescribeMatchmakingResponse());

        private Task<T> Answer<T>(object request, T response)
        {
            Requests.Add(request);
            return Failure is null ? Task.FromResult(response) : Task.FromException<T>(Failure);
        }
    }
}
