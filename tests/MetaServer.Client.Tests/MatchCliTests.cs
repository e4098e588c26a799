using MetaServer.Cli;
using MetaServer.Protocol.V1;
using MetaServer.Testing;

namespace MetaServer.Client.Tests;

/// <summary>The matchmaking and leaderboard commands of the CLI against <see cref="FakeMetaServer"/>.</summary>
public sealed class MatchCliTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "metaserver-cli-tests-" + Guid.NewGuid().ToString("N"));
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly FakeMetaServer _fake = new();
    private ScriptedServer? _server;

    private string TokenFile => Path.Combine(_dir, "session.json");

    private string Url => _server!.Uri.ToString();

    public async Task InitializeAsync()
    {
        _server = await ScriptedServer.StartAsync(_fake.ServeAsync);
        Assert.Equal(CliApp.ExitOk, await RunAsync("login", "--device", "phone-1", "--url", Url, "--token-file", TokenFile));
        _output.GetStringBuilder().Clear();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task Queue_WithoutWait_SendsModeLatencyAndRequestIdPrintsTicket()
    {
        var exit = await RunAsync("queue", "ranked-1v1", "--latency", "us-east-1=45", "--latency", "eu-west-1=120", "--request-id", "r-1", "--url", Url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal("ranked-1v1", _fake.LastStart!.GameMode);
        Assert.Equal("r-1", _fake.LastStart.ClientRequestId);
        Assert.Equal(45, _fake.LastStart.LatencyMs["us-east-1"]);
        Assert.Equal(120, _fake.LastStart.LatencyMs["eu-west-1"]);
        var text = _output.ToString();
        Assert.Contains("Ticket ticket-r-1 (ranked-1v1): QUEUED", text, StringComparison.Ordinal);
        Assert.DoesNotContain("COMPLETED", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_WaitAndAccept_PrintsEveryStateUntilCompletedAndExitsZero()
    {
        var exit = await RunAsync("queue", "casual", "--wait", "--accept", "--url", Url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitOk, exit);
        var text = _output.ToString();
        string[] states = ["QUEUED", "SEARCHING", "REQUIRES_ACCEPTANCE", "Accepted the proposed match.", "PLACING", "COMPLETED"];
        var positions = states.Select(s => text.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0, text));
        Assert.Equal(positions.Order().ToArray(), positions);
        Assert.Contains("Match: match-1, map harbor, team red", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueTwice_SecondRefusedAlreadyQueued_ExitsOne()
    {
        Assert.Equal(CliApp.ExitOk, await RunAsync("queue", "casual", "--url", Url, "--token-file", TokenFile));

        var exit = await RunAsync("queue", "casual", "--url", Url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitRefused, exit);
        Assert.Contains("AlreadyQueued", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptThenStatus_CurrentTicket_AcceptsItAndStatusShowsCompletedMatch()
    {
        Assert.Equal(CliApp.ExitOk, await RunAsync("queue", "casual", "--request-id", "r-2", "--url", Url, "--token-file", TokenFile));
        _output.GetStringBuilder().Clear();

        Assert.Equal(CliApp.ExitOk, await RunAsync("accept", "--url", Url, "--token-file", TokenFile));
        Assert.Contains("accept: OK (accepted).", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("accepted", _output.ToString(), StringComparison.Ordinal);

        _output.GetStringBuilder().Clear();
        Assert.Equal(CliApp.ExitOk, await RunAsync("queue-status", "--url", Url, "--token-file", TokenFile));
        Assert.Contains("Ticket ticket-r-2 (casual): COMPLETED", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelQueue_CurrentTicket_PrintsCancelled()
    {
        Assert.Equal(CliApp.ExitOk, await RunAsync("queue", "casual", "--request-id", "r-3", "--url", Url, "--token-file", TokenFile));
        _output.GetStringBuilder().Clear();

        var exit = await RunAsync("cancel-queue", "--url", Url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Contains("Ticket ticket-r-3 (casual): CANCELLED", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Reason: cancelled by the player", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelQueue_NoTicket_ExitsOneWithMessage()
    {
        var exit = await RunAsync("cancel-queue", "--url", Url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitRefused, exit);
        Assert.Contains("no matchmaking ticket", _error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("top", LeaderboardView.Top)]
    [InlineData("around", LeaderboardView.AroundMe)]
    [InlineData("friends", LeaderboardView.Friends)]
    public async Task Leaderboard_View_SendsViewAndCountPrintsEntriesAndOwnRank(string view, LeaderboardView expected)
    {
        var exit = await RunAsync("leaderboard", "--view", view, "--count", "25", "--url", Url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal(new GetLeaderboardRequest { View = expected, Count = 25 }, _fake.LastLeaderboardRequest);
        var text = _output.ToString();
        Assert.Contains("Leaderboard rating, season 2026-11: 42 players", text, StringComparison.Ordinal);
        Assert.Contains("Champion (acc-top)", text, StringComparison.Ordinal);
        Assert.Contains("You: rank 7, score 1234", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--view", "sideways")]
    [InlineData("--count", "0")]
    public async Task Leaderboard_BadOption_FailsParsingWithoutRequest(string option, string value)
    {
        var exit = await RunAsync("leaderboard", option, value, "--url", Url, "--token-file", TokenFile);

        Assert.NotEqual(CliApp.ExitOk, exit);
        Assert.Null(_fake.LastLeaderboardRequest);
    }

    [Fact]
    public async Task Queue_BadLatency_ExitsOneWithoutRequest()
    {
        var exit = await RunAsync("queue", "casual", "--latency", "us-east-1", "--url", Url, "--token-file", TokenFile);

        Assert.Equal(CliApp.ExitRefused, exit);
        Assert.Contains("REGION=MS", _error.ToString(), StringComparison.Ordinal);
        Assert.Null(_fake.LastStart);
    }

    private Task<int> RunAsync(params string[] args) =>
        CliApp.RunAsync(args, _output, _error).WithTimeout("metaserver " + string.Join(' ', args));
}
