namespace MetaServer.Storage;

/// <summary>
/// Rules every id stored through these abstractions follows (player ids, account ids, session ids, instance ids):
/// 1-256 characters, no control characters (values are separated by line feeds in Redis) and no lone surrogates
/// (so UTF-16 and UTF-8 orderings agree and no two ids encode to the same bytes).
/// </summary>
public static class StorageIds
{
    public const int MaxLength = 256;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="id"/> breaks the rules.</summary>
    public static void Validate(string id, string paramName)
    {
        ArgumentNullException.ThrowIfNull(id, paramName);
        if (id.Length is 0 or > MaxLength)
        {
            throw new ArgumentException($"An id must be 1-{MaxLength} characters long.", paramName);
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
            {
                throw new ArgumentException("An id must not contain control characters.", paramName);
            }

            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException("An id must not contain a lone surrogate.", paramName);
            }
        }
    }

    /// <summary>
    /// Ordinal comparison in Unicode code point order, which is also the UTF-8 byte order Redis uses for
    /// sorted-set members of equal score.
    /// </summary>
    public static int CompareCodePoints(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return CodePointOrder(a[i]) - CodePointOrder(b[i]);
            }
        }

        return a.Length - b.Length;
    }

    /// <summary>Moves surrogates (code points above U+FFFF) after U+E000..U+FFFF, as code point order has them.</summary>
    private static int CodePointOrder(char c) => c >= 0xD800 ? (c >= 0xE000 ? c - 0x800 : c + 0x2000) : c;
}
