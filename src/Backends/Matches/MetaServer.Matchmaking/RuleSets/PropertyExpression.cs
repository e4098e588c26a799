using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace MetaServer.Matchmaking.RuleSets;

/// <summary>
/// A FlexMatch property expression (the supported subset): player attributes of selected teams, e.g.
/// <c>teams[*].players.attributes[skill]</c>, wrapped in aggregation functions such as <c>avg(...)</c> or
/// <c>flatten(...)</c>. <see cref="object.ToString"/> gives the canonical text.
/// </summary>
public abstract record PropertyExpression
{
    /// <summary>Every attribute name the expression reads.</summary>
    public abstract IEnumerable<string> Attributes { get; }

    /// <summary>Every team name the expression selects by name (not <c>*</c>).</summary>
    public abstract IEnumerable<string> TeamNames { get; }
}

/// <summary>Which teams a path selects: all (<c>*</c>) or the named ones.</summary>
public sealed record TeamSelection(bool All, ImmutableArray<string> Names)
{
    public static TeamSelection AllTeams { get; } = new(true, []);

    public override string ToString() => All ? "*" : string.Join(",", Names);
}

/// <summary><c>teams[...].players.attributes[name]</c>: one value per player, grouped by team.</summary>
public sealed record PlayerAttributeExpression(TeamSelection Teams, string Attribute) : PropertyExpression
{
    public override IEnumerable<string> Attributes => [Attribute];

    public override IEnumerable<string> TeamNames => Teams.Names;

    public override string ToString() => $"teams[{Teams}].players.attributes[{Attribute}]";
}

public enum ExpressionFunction
{
    Avg,
    Min,
    Max,
    Median,
    Sum,
    Count,
    Stddev,
    Flatten,
    SetIntersection,
}

/// <summary>An aggregation function applied to an expression.</summary>
public sealed record FunctionExpression(ExpressionFunction Function, PropertyExpression Argument) : PropertyExpression
{
    public override IEnumerable<string> Attributes => Argument.Attributes;

    public override IEnumerable<string> TeamNames => Argument.TeamNames;

    public override string ToString() => PropertyExpressionParser.FunctionName(Function) + "(" + Argument + ")";
}

/// <summary>Parses the supported subset of FlexMatch property expressions.</summary>
public static class PropertyExpressionParser
{
    private static readonly Dictionary<string, ExpressionFunction> s_functions = new(StringComparer.Ordinal)
    {
        ["avg"] = ExpressionFunction.Avg,
        ["min"] = ExpressionFunction.Min,
        ["max"] = ExpressionFunction.Max,
        ["median"] = ExpressionFunction.Median,
        ["sum"] = ExpressionFunction.Sum,
        ["count"] = ExpressionFunction.Count,
        ["stddev"] = ExpressionFunction.Stddev,
        ["flatten"] = ExpressionFunction.Flatten,
        ["set_intersection"] = ExpressionFunction.SetIntersection,
    };

    public static string FunctionName(ExpressionFunction function) => s_functions.First(p => p.Value == function).Key;

    /// <summary>True when <paramref name="text"/> looks like an expression (a team path or a function call) rather than a literal.</summary>
    public static bool LooksLikeExpression(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith("teams[", StringComparison.Ordinal) || trimmed.StartsWith("team[", StringComparison.Ordinal))
        {
            return true;
        }

        var open = trimmed.IndexOf('(', StringComparison.Ordinal);
        return open > 0 && trimmed.EndsWith(')') && trimmed[..open].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong and where.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out PropertyExpression? expression, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cursor = new Cursor(text);
        try
        {
            expression = ParseExpression(cursor);
            cursor.SkipSpaces();
            if (!cursor.AtEnd)
            {
                throw cursor.Fail($"unexpected '{cursor.Rest}'");
            }

            error = null;
            return true;
        }
        catch (ExpressionSyntaxException e)
        {
            expression = null;
            error = $"'{text}' is not a supported property expression: {e.Message}";
            return false;
        }
    }

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/>.</summary>
    public static PropertyExpression Parse(string text) =>
        TryParse(text, out var expression, out var error) ? expression : throw new FormatException(error);

    private static PropertyExpression ParseExpression(Cursor cursor)
    {
        cursor.SkipSpaces();
        var start = cursor.Position;
        var word = cursor.ReadWord();
        if (word.Length == 0)
        {
            throw cursor.Fail("expected a function or a teams[...] path");
        }

        cursor.SkipSpaces();
        if (word is "teams" or "team" && cursor.Peek == '[')
        {
            return ParsePath(cursor);
        }

        if (cursor.Peek != '(')
        {
            throw new ExpressionSyntaxException($"'{word}' at position {start} is not supported (expected a function call or a teams[...] path)");
        }

        if (!s_functions.TryGetValue(word, out var function))
        {
            throw new ExpressionSyntaxException(
                $"unsupported function '{word}' at position {start} (supported: {string.Join(", ", s_functions.Keys)})");
        }

        cursor.Expect('(');
        var argument = ParseExpression(cursor);
        cursor.SkipSpaces();
        if (cursor.Peek == ',')
        {
            throw cursor.Fail($"function '{word}' takes one argument");
        }

        cursor.Expect(')');
        return new FunctionExpression(function, argument);
    }

    private static PlayerAttributeExpression ParsePath(Cursor cursor)
    {
        cursor.Expect('[');
        var names = cursor.ReadBracketContent().Split(',').Select(n => n.Trim()).ToArray();
        TeamSelection teams;
        if (names is ["*"])
        {
            teams = TeamSelection.AllTeams;
        }
        else if (names.Any(n => n.Length == 0 || n == "*"))
        {
            throw cursor.Fail("team selector must be '*' or a comma-separated list of team names");
        }
        else
        {
            teams = new TeamSelection(false, [.. names]);
        }

        cursor.Expect('.');
        var players = cursor.ReadWord();
        if (players != "players")
        {
            throw cursor.Fail($"expected 'players' after the team selector, found '{players}'");
        }

        if (cursor.AtEnd || cursor.Peek != '.')
        {
            throw cursor.Fail("a bare players list is not supported; select players.attributes[name]");
        }

        cursor.Expect('.');
        var member = cursor.ReadWord();
        if (member != "attributes")
        {
            throw cursor.Fail($"players.{member} is not supported; only players.attributes[name] is");
        }

        cursor.Expect('[');
        var attribute = cursor.ReadBracketContent().Trim();
        if (attribute.Length == 0 || attribute.Contains(',', StringComparison.Ordinal))
        {
            throw cursor.Fail("attributes[...] takes exactly one attribute name");
        }

        if (!cursor.AtEnd && cursor.Peek == '[')
        {
            throw cursor.Fail("indexing into a map attribute is not supported");
        }

        return new PlayerAttributeExpression(teams, attribute);
    }

    private sealed class ExpressionSyntaxException(string message) : Exception(message);

    private sealed class Cursor(string text)
    {
        public int Position { get; private set; }

        public bool AtEnd => Position >= text.Length;

        public char Peek => AtEnd ? '\0' : text[Position];

        public string Rest => text[Position..];

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        public string ReadWord()
        {
            var start = Position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(text[Position]) || text[Position] == '_'))
            {
                Position++;
            }

            return text[start..Position];
        }

        public void Expect(char c)
        {
            SkipSpaces();
            if (Peek != c)
            {
                throw Fail(AtEnd ? $"expected '{c}' but the expression ended" : $"expected '{c}', found '{Peek}'");
            }

            Position++;
        }

        public string ReadBracketContent()
        {
            var close = text.IndexOf(']', Position);
            if (close < 0)
            {
                throw Fail("missing ']'");
            }

            var content = text[Position..close];
            Position = close + 1;
            return content;
        }

        public ExpressionSyntaxException Fail(string message) => new($"{message} at position {Position}");
    }
}
