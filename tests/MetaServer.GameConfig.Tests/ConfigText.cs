using System.Text;

namespace MetaServer.GameConfig.Tests;

/// <summary>The bundled sample as text, with edits, and where things are in it (1-based line and column).</summary>
internal sealed class ConfigText
{
    public ConfigText(string text)
    {
        Text = text;
    }

    public string Text { get; private set; }

    public static ConfigText Sample() => new(Encoding.UTF8.GetString(GameConfigLoader.ReadBundledConfigBytes()));

    /// <summary>Replaces the only occurrence of <paramref name="from"/> (fails when it is missing or not unique).</summary>
    public ConfigText Replace(string from, string to)
    {
        var first = Text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(first >= 0, $"'{from}' is not in the config");
        Assert.True(Text.IndexOf(from, first + 1, StringComparison.Ordinal) < 0, $"'{from}' is in the config more than once");
        Text = string.Concat(Text.AsSpan(0, first), to, Text.AsSpan(first + from.Length));
        return this;
    }

    /// <summary>Line and column of the only occurrence of <paramref name="marker"/>.</summary>
    public (int Line, int Column) PositionOf(string marker)
    {
        var index = Text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{marker}' is not in the config");
        Assert.True(Text.IndexOf(marker, index + 1, StringComparison.Ordinal) < 0, $"'{marker}' is in the config more than once");
        var line = 1 + Text.AsSpan(0, index).Count('\n');
        var lineStart = Text.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        if (index == 0)
        {
            lineStart = 0;
        }

        return (line, index - lineStart + 1);
    }

    public GameConfigValidationResult Parse(string source = "test-config.json") =>
        GameConfigLoader.Parse(Encoding.UTF8.GetBytes(Text), source);
}

internal static class ProblemAssert
{
    /// <summary>Asserts exactly one problem at <paramref name="path"/>, at <paramref name="position"/>, whose message contains <paramref name="message"/>.</summary>
    public static ConfigProblem Single(GameConfigValidationResult result, string path, (int Line, int Column) position, string message)
    {
        Assert.Null(result.Config);
        var atPath = result.Problems.Where(p => p.JsonPath == path).ToList();
        var all = string.Join(Environment.NewLine, result.Problems);
        Assert.True(atPath.Count == 1, $"expected one problem at {path}, got:{Environment.NewLine}{all}");
        var problem = atPath[0];
        Assert.Equal(position, (problem.Line, problem.Column));
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        return problem;
    }
}
