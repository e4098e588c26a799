using System.Text;
using System.Text.Json;

namespace MetaServer.GameConfig;

/// <summary>A 1-based line and column in a file.</summary>
internal readonly record struct TextPosition(int Line, int Column);

/// <summary>
/// Where every value (and every property name) of a JSON document starts, by JSON path (<c>$.a.b[2].c</c>), found with
/// one <see cref="Utf8JsonReader"/> pass. Also reports malformed JSON and properties that appear twice in one object.
/// </summary>
internal sealed class JsonPositionMap
{
    private readonly Dictionary<string, TextPosition> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TextPosition> _names = new(StringComparer.Ordinal);
    private readonly List<int> _lineStarts = [0];
    private readonly byte[] _utf8;

    private JsonPositionMap(byte[] utf8)
    {
        _utf8 = utf8;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Set when the document is not valid JSON: where reading stopped and why.</summary>
    public (string Path, TextPosition Position, string Message)? SyntaxError { get; private set; }

    /// <summary>Properties whose name appears more than once in the same object (path of the repeat and its position).</summary>
    public List<(string Path, TextPosition Position, string Name)> DuplicateProperties { get; } = [];

    public static JsonPositionMap Build(byte[] utf8)
    {
        var map = new JsonPositionMap(utf8);
        map.Scan();
        return map;
    }

    /// <summary>Where the value at <paramref name="path"/> starts; for a path that does not exist, its nearest existing ancestor.</summary>
    public TextPosition ValueAt(string path) => Find(_values, path);

    /// <summary>Where the property name of <paramref name="path"/> starts (or the value, for array elements and the root).</summary>
    public TextPosition NameAt(string path) =>
        _names.TryGetValue(path, out var position) ? position : ValueAt(path);

    public TextPosition PositionOfOffset(long byteOffset)
    {
        var offset = (int)Math.Clamp(byteOffset, 0, _utf8.Length);
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new TextPosition(line + 1, CountChars(_lineStarts[line], offset) + 1);
    }

    private TextPosition Find(Dictionary<string, TextPosition> positions, string path)
    {
        var current = path;
        while (true)
        {
            if (positions.TryGetValue(current, out var position))
            {
                return position;
            }

            var parent = JsonPaths.Parent(current);
            if (parent is null)
            {
                return new TextPosition(1, 1);
            }

            current = parent;
        }
    }

    private int CountChars(int from, int to)
    {
        // Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start a character.
        var count = 0;
        for (var i = from; i < to && i < _utf8.Length; i++)
        {
            if ((_utf8[i] & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }

    private void Scan()
    {
        var reader = new Utf8JsonReader(_utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var frames = new Stack<Frame>();
        var pendingPath = JsonPaths.Root;
        try
        {
            while (reader.Read())
            {
                var position = PositionOfOffset(reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                    {
                        var frame = frames.Peek();
                        var name = reader.GetString()!;
                        pendingPath = JsonPaths.Property(frame.Path, name);
                        if (!frame.Names!.Add(name))
                        {
                            DuplicateProperties.Add((pendingPath, position, name));
                        }
                        else
                        {
                            _names[pendingPath] = position;
                        }

                        break;
                    }

                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    default:
                    {
                        var path = ValuePath(frames, pendingPath);
                        _values.TryAdd(path, position);
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            frames.Push(new Frame(path, new HashSet<string>(StringComparer.Ordinal)));
                        }
                        else if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            frames.Push(new Frame(path, null));
                        }

                        break;
                    }
                }
            }
        }
        catch (JsonException e)
        {
            var offset = _lineStarts[(int)Math.Min(e.LineNumber ?? 0, _lineStarts.Count - 1)] + (e.BytePositionInLine ?? 0);
            var path = frames.Count == 0 ? JsonPaths.Root : frames.Peek().Path;
            SyntaxError = (path, PositionOfOffset(offset), PlainSyntaxMessage(e.Message));
        }
    }

    private static string ValuePath(Stack<Frame> frames, string pendingPath)
    {
        if (frames.Count == 0)
        {
            return JsonPaths.Root;
        }

        var frame = frames.Peek();
        if (frame.Names is not null)
        {
            return pendingPath;
        }

        return JsonPaths.Index(frame.Path, frame.NextIndex++);
    }

    private static string PlainSyntaxMessage(string readerMessage)
    {
        // The reader appends " LineNumber: n | BytePositionInLine: m."; the problem carries the position already.
        var cut = readerMessage.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = cut >= 0 ? readerMessage[..cut] : readerMessage;
        var builder = new StringBuilder("the file is not valid JSON: ");
        builder.Append(text.Trim());
        return builder.ToString();
    }

    private sealed class Frame(string path, HashSet<string>? names)
    {
        public string Path { get; } = path;

        /// <summary>Property names seen so far; null for arrays.</summary>
        public HashSet<string>? Names { get; } = names;

        public int NextIndex { get; set; }
    }
}

/// <summary>JSON path strings in the form designers see: <c>$.storeOffers[3].price.amount</c>.</summary>
internal static class JsonPaths
{
    public const string Root = "$";

    public static string Property(string parent, string name)
    {
        var simple = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or '$')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');
        return simple ? $"{parent}.{name}" : $"{parent}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
    }

    public static string Index(string parent, int index) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{parent}[{index}]");

    /// <summary>Whether <paramref name="path"/> is <paramref name="container"/> or a path inside it.</summary>
    public static bool IsSameOrInside(string path, string container) =>
        path.StartsWith(container, StringComparison.Ordinal)
        && (path.Length == container.Length || path[container.Length] is '.' or '[');

    /// <summary>The parent path, or null for the root.</summary>
    public static string? Parent(string path)
    {
        if (path == Root)
        {
            return null;
        }

        if (path.EndsWith(']'))
        {
            // Either [n] or ['name']; find the matching '[' that is not inside a quoted name.
            var open = path.EndsWith("']", StringComparison.Ordinal)
                ? path.LastIndexOf("['", StringComparison.Ordinal)
                : path.LastIndexOf('[');
            return open > 0 ? path[..open] : Root;
        }

        var dot = path.LastIndexOf('.');
        return dot > 0 ? path[..dot] : Root;
    }
}
