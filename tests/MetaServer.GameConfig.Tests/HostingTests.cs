using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MetaServer.GameConfig.Tests;

public sealed class HostingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("metaserver-gameconfig-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddGameConfig_NoPath_StartsWithTheBundledSample()
    {
        using var host = BuildHost(path: null);

        await host.StartAsync(CancellationToken.None);
        var config = host.Services.GetRequiredService<GameConfig>();
        await host.StopAsync(CancellationToken.None);

        Assert.Equal(GameConfigLoader.LoadBundled().GetConfigOrThrow().Hash, config.Hash);
    }

    [Fact]
    public async Task AddGameConfig_ValidFile_LoadsThatFile()
    {
        var text = ConfigText.Sample().Replace("\"version\": \"2026.11.1\"", "\"version\": \"test-7\"");
        var path = Path.Combine(_directory, "valid.json");
        await File.WriteAllTextAsync(path, text.Text, CancellationToken.None);
        using var host = BuildHost(path);

        await host.StartAsync(CancellationToken.None);
        var config = host.Services.GetRequiredService<GameConfig>();
        await host.StopAsync(CancellationToken.None);

        Assert.Equal("test-7", config.Version);
        Assert.Equal(GameConfigLoader.ComputeHash(Encoding.UTF8.GetBytes(text.Text)), config.Hash);
    }

    [Fact]
    public async Task AddGameConfig_InvalidFile_HostRefusesToStartWithEveryProblem()
    {
        var text = ConfigText.Sample()
            .Replace("\"stat\": \"headshots\"", "\"stat\": \"headshotz\"")
            .Replace("\"currency\": \"gems\", \"amount\": 450", "\"currency\": \"gems\", \"amount\": -1");
        var path = Path.Combine(_directory, "invalid.json");
        await File.WriteAllTextAsync(path, text.Text, CancellationToken.None);
        var expected = text.Parse(path).Problems;
        using var host = BuildHost(path);

        var exception = await Assert.ThrowsAsync<GameConfigException>(() => host.StartAsync(CancellationToken.None));

        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, exception.Problems);
        Assert.All(expected, p => Assert.Contains(p.ToString(), exception.Message, StringComparison.Ordinal));
        Assert.Contains($"{path}:", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGameConfig_MissingFile_HostRefusesToStartNamingTheFile()
    {
        var path = Path.Combine(_directory, "missing.json");
        using var host = BuildHost(path);

        var exception = await Assert.ThrowsAsync<GameConfigException>(() => host.StartAsync(CancellationToken.None));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGameConfig_RelativePath_IsResolvedAgainstTheContentRoot()
    {
        await File.WriteAllBytesAsync(Path.Combine(_directory, "relative.json"), GameConfigLoader.ReadBundledConfigBytes(), CancellationToken.None);
        using var host = BuildHost("relative.json");

        await host.StartAsync(CancellationToken.None);
        var config = host.Services.GetRequiredService<GameConfig>();
        await host.StopAsync(CancellationToken.None);

        Assert.Equal("2026.11.1", config.Version);
    }

    private IHost BuildHost(string? path)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["MetaServer:GameConfig:Path"] = path });
        builder.Services.AddGameConfig(builder.Configuration);
        return builder.Build();
    }
}
