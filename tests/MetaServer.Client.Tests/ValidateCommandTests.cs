using System.Text;
using MetaServer.Cli;
using MetaServer.GameConfig;
using MetaServer.Testing;

namespace MetaServer.Client.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metaserver-validate-tests-").FullName;
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public async Task Validate_BundledSample_ExitsZeroAndPrintsVersionAndHash()
    {
        var path = Write("game-config.json", Encoding.UTF8.GetString(GameConfigLoader.ReadBundledConfigBytes()));
        var hash = GameConfigLoader.ComputeHash(GameConfigLoader.ReadBundledConfigBytes());

        var exit = await RunAsync("validate", path);

        Assert.Equal(0, exit);
        Assert.Equal($"{path}: valid (version 2026.11.1, hash {hash})." + Environment.NewLine, _output.ToString());
        Assert.Empty(_error.ToString());
    }

    [Fact]
    public async Task Validate_InvalidFile_PrintsEveryProblemThenSummaryAndExitsOne()
    {
        var text = Encoding.UTF8.GetString(GameConfigLoader.ReadBundledConfigBytes())
            .Replace("\"currency\": \"gold\", \"amount\": 15000", "\"currency\": \"gold\", \"amount\": -5", StringComparison.Ordinal)
            .Replace("\"gameMode\": \"duel\"", "\"gameMode\": \"duels\"", StringComparison.Ordinal);
        var path = Write("broken.json", text);

        var exit = await RunAsync("validate", path);

        Assert.Equal(1, exit);
        var lines = _output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal($"{path}:55:48 $.storeOffers[0].price.amount: the price must be at least 1 (found -5)", lines[0]);
        Assert.StartsWith($"{path}:", lines[1], StringComparison.Ordinal);
        Assert.Contains(" $.matchRewards[3].gameMode: unknown game mode \"duels\"", lines[1], StringComparison.Ordinal);
        Assert.Equal($"{path}: 2 problems found; the config is not valid.", lines[2]);
    }

    [Fact]
    public async Task Validate_MalformedJson_ReportsPositionAndExitsOne()
    {
        var path = Write("malformed.json", "{\n  \"version\": \"1\",\n}\n");

        var exit = await RunAsync("validate", path);

        Assert.Equal(1, exit);
        Assert.StartsWith($"{path}:3:1 $: the file is not valid JSON: ", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsTwoWithError()
    {
        var path = Path.Combine(_dir, "nope.json");

        var exit = await RunAsync("validate", path);

        Assert.Equal(2, exit);
        Assert.Contains($"error: cannot read {path}", _error.ToString(), StringComparison.Ordinal);
        Assert.Empty(_output.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private Task<int> RunAsync(params string[] args) =>
        CliApp.RunAsync(args, _output, _error).WithTimeout("metaserver " + string.Join(' ', args));
}
