namespace MetaServer.Matchmaking.RuleSets;

/// <summary>
/// One problem of a rule set: what it concerns (e.g. <c>rule 'SkillDistance'</c>, <c>team 'red'</c>, <c>rule set</c>),
/// the field, the JSON path and what is wrong.
/// </summary>
public sealed record RuleSetProblem(string Subject, string Field, string JsonPath, string Message)
{
    public override string ToString() => $"{Subject} field '{Field}' ({JsonPath}): {Message}";
}

/// <summary>A rule set that cannot be used; <see cref="Exception.Message"/> lists every problem, one per line.</summary>
public sealed class RuleSetException : Exception
{
    public RuleSetException(string sourceName, IReadOnlyList<RuleSetProblem> problems)
        : base(Format(sourceName, problems))
    {
        SourceName = sourceName;
        Problems = problems;
    }

    public string SourceName { get; }

    public IReadOnlyList<RuleSetProblem> Problems { get; }

    /// <summary>Each problem as <c>source: subject field 'x' (path): message</c>.</summary>
    public IEnumerable<string> Lines => Problems.Select(p => $"{SourceName}: {p}");

    private static string Format(string sourceName, IReadOnlyList<RuleSetProblem> problems) =>
        $"The matchmaking rule set '{sourceName}' has {problems.Count} problem(s):" + Environment.NewLine +
        string.Join(Environment.NewLine, problems.Select(p => $"{sourceName}: {p}"));
}
