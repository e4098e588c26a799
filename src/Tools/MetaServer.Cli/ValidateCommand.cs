using System.CommandLine;
using MetaServer.GameConfig;

namespace MetaServer.Cli;

/// <summary><c>metaserver validate &lt;file&gt;</c>: checks a game config file the way a service does at start-up.</summary>
internal static class ValidateCommand
{
    public const int ExitValid = 0;
    public const int ExitInvalid = 1;
    public const int ExitCannotRead = 2;

    public static Command Build(TextWriter output, TextWriter error)
    {
        var fileArgument = new Argument<string>("file")
        {
            Description = "The game config JSON file to check (the bundled sample is config/game-config.json).",
        };
        var command = new Command("validate", "Check a game config file: print every problem as file:line:column path: message, exit 0 when valid, 1 when not, 2 when unreadable.")
        {
            fileArgument,
        };
        command.SetAction(parse => Run(parse.GetValue(fileArgument)!, output, error));
        return command;
    }

    public static int Run(string path, TextWriter output, TextWriter error)
    {
        GameConfigValidationResult result;
        try
        {
            result = GameConfigLoader.Load(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"error: cannot read {path}: {ex.Message}");
            return ExitCannotRead;
        }

        foreach (var problem in result.Problems)
        {
            output.WriteLine(problem.ToString());
        }

        if (result.IsValid)
        {
            output.WriteLine($"{path}: valid (version {result.Config!.Version}, hash {result.Config.Hash}).");
            return ExitValid;
        }

        var count = result.Problems.Count;
        output.WriteLine($"{path}: {count} {(count == 1 ? "problem" : "problems")} found; the config is not valid.");
        return ExitInvalid;
    }
}
