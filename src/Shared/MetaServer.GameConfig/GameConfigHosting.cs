using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.GameConfig;

/// <summary>Options bound from <c>MetaServer:GameConfig</c>.</summary>
public sealed class GameConfigOptions
{
    public const string SectionName = "MetaServer:GameConfig";

    /// <summary>
    /// The game config file; relative paths are resolved against the host's content root. Empty (the default): the
    /// sample config bundled in the assembly.
    /// </summary>
    public string? Path { get; set; }
}

public static class GameConfigServiceCollectionExtensions
{
    /// <summary>
    /// Registers the validated <see cref="GameConfig"/> singleton, loaded from <c>MetaServer:GameConfig:Path</c> (empty:
    /// the bundled sample). The host refuses to start when the file cannot be read or has problems: start-up throws
    /// a <see cref="GameConfigException"/> listing every problem as <c>file:line:column path: message</c>.
    /// </summary>
    public static IServiceCollection AddGameConfig(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GameConfigOptions>().Bind(configuration.GetSection(GameConfigOptions.SectionName));
        services.TryAddSingleton(sp =>
        {
            var path = sp.GetRequiredService<IOptions<GameConfigOptions>>().Value.Path;
            var contentRoot = sp.GetService<IHostEnvironment>()?.ContentRootPath;
            return LoadOrThrow(path, contentRoot);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GameConfigStartupCheck>());
        return services;
    }

    /// <summary>Loads the config at <paramref name="path"/> (empty: the bundled sample) or throws a <see cref="GameConfigException"/>.</summary>
    public static GameConfig LoadOrThrow(string? path, string? contentRoot = null)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return GameConfigLoader.LoadBundled().GetConfigOrThrow();
        }

        var fullPath = contentRoot is null ? System.IO.Path.GetFullPath(path) : System.IO.Path.GetFullPath(path, contentRoot);
        GameConfigValidationResult result;
        try
        {
            result = GameConfigLoader.Load(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GameConfigException(
                $"The game config file '{fullPath}' (MetaServer:GameConfig:Path) cannot be read: {e.Message}", e);
        }

        return result.GetConfigOrThrow();
    }
}

/// <summary>Loads the game config when the host starts, so an invalid config stops the host, and logs which config it runs.</summary>
internal sealed partial class GameConfigStartupCheck(IServiceProvider services, ILogger<GameConfigStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = services.GetRequiredService<IOptions<GameConfigOptions>>().Value.Path;
        var config = services.GetRequiredService<GameConfig>();
        LogLoaded(logger, config.Version, config.Hash, string.IsNullOrWhiteSpace(path) ? "bundled sample" : path);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Game config {Version} (hash {Hash}) loaded from {Source}.")]
    private static partial void LogLoaded(ILogger logger, string version, string hash, string source);
}
