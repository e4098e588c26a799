namespace MetaServer.GameConfig;

/// <summary>
/// One problem in a game config file: where (a JSON path such as <c>$.storeOffers[3].price.amount</c>, and the
/// 1-based line and column in the file) and what, in plain language. <see cref="Source"/> names the file.
/// </summary>
public sealed record ConfigProblem(string JsonPath, int Line, int Column, string Message, string Source = "")
{
    /// <summary>
    /// <c>file:line:column path: message</c>, e.g.
    /// <c>game-config.json:41:17 $.storeOffers[3].price.amount: the price must be at least 1 (found -5)</c>.
    /// </summary>
    public override string ToString() =>
        Source.Length == 0
            ? $"{Line}:{Column} {JsonPath}: {Message}"
            : $"{Source}:{Line}:{Column} {JsonPath}: {Message}";
}

/// <summary>The outcome of loading a game config: the config when valid, and every problem found (empty when valid).</summary>
public sealed record GameConfigValidationResult(GameConfig? Config, IReadOnlyList<ConfigProblem> Problems)
{
    public bool IsValid => Config is not null && Problems.Count == 0;

    /// <summary>The config, or a <see cref="GameConfigException"/> listing every problem.</summary>
    public GameConfig GetConfigOrThrow() =>
        IsValid ? Config! : throw new GameConfigException(Problems);
}

/// <summary>Thrown when a game config is invalid; the message lists every problem, one per line.</summary>
public sealed class GameConfigException : Exception
{
    public GameConfigException(IReadOnlyList<ConfigProblem> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    public GameConfigException()
        : this([])
    {
    }

    public GameConfigException(string message)
        : base(message)
    {
        Problems = [];
    }

    public GameConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    public IReadOnlyList<ConfigProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<ConfigProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var noun = problems.Count == 1 ? "problem" : "problems";
        return $"The game config has {problems.Count} {noun}:" + Environment.NewLine
            + string.Join(Environment.NewLine, problems.Select(p => p.ToString()));
    }
}
