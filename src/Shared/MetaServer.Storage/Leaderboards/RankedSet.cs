namespace MetaServer.Storage;

/// <summary>
/// An order-statistic treap of (score, player) keys in leaderboard order: insert, remove, rank-of and
/// select-by-rank in O(log n) expected time. Not thread-safe; the owner locks.
/// </summary>
internal sealed class RankedSet
{
    private Node? _root;
    private uint _random = 2463534242;

    public int Count => Size(_root);

    public void Add(long score, string playerId)
    {
        var (less, rest) = Split(_root, score, playerId, keepEqualLeft: false);
        var node = new Node(score, playerId, NextPriority());
        _root = Merge(Merge(less, node), rest);
    }

    public bool Remove(long score, string playerId)
    {
        var (less, rest) = Split(_root, score, playerId, keepEqualLeft: false);
        var (equal, greater) = Split(rest, score, playerId, keepEqualLeft: true);
        _root = Merge(less, greater);
        return equal is not null;
    }

    /// <summary>0-based position of a key that is in the set; -1 when it is not.</summary>
    public int IndexOf(long score, string playerId)
    {
        var index = 0;
        var node = _root;
        while (node is not null)
        {
            var cmp = LeaderboardArguments.Compare(score, playerId, node.Score, node.PlayerId);
            if (cmp < 0)
            {
                node = node.Left;
            }
            else if (cmp == 0)
            {
                return index + Size(node.Left);
            }
            else
            {
                index += Size(node.Left) + 1;
                node = node.Right;
            }
        }

        return -1;
    }

    /// <summary>The entries at 0-based positions <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/>-1 (clipped to the set).</summary>
    public List<(long Score, string PlayerId)> Range(int start, int count)
    {
        var end = Math.Min(Count, start + count);
        var result = new List<(long, string)>(Math.Max(0, end - start));
        if (start >= end)
        {
            return result;
        }

        // In-order walk from the start position: descend to it remembering the path, then step forward.
        var stack = new Stack<Node>();
        var node = _root;
        var skip = start;
        while (node is not null)
        {
            var left = Size(node.Left);
            if (skip < left)
            {
                stack.Push(node);
                node = node.Left;
            }
            else if (skip == left)
            {
                stack.Push(node);
                break;
            }
            else
            {
                skip -= left + 1;
                node = node.Right;
            }
        }

        while (result.Count < end - start && stack.Count > 0)
        {
            var current = stack.Pop();
            result.Add((current.Score, current.PlayerId));
            for (var next = current.Right; next is not null; next = next.Left)
            {
                stack.Push(next);
            }
        }

        return result;
    }

    private uint NextPriority()
    {
        // xorshift32: deterministic, good enough to keep the treap balanced in expectation.
        var x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        return x;
    }

    private static int Size(Node? node) => node?.Size ?? 0;

    /// <summary>Splits into keys before the given key and the rest; with <paramref name="keepEqualLeft"/> an equal key goes left.</summary>
    private static (Node? Left, Node? Right) Split(Node? node, long score, string playerId, bool keepEqualLeft)
    {
        if (node is null)
        {
            return (null, null);
        }

        var cmp = LeaderboardArguments.Compare(node.Score, node.PlayerId, score, playerId);
        if (cmp < 0 || (cmp == 0 && keepEqualLeft))
        {
            var (left, right) = Split(node.Right, score, playerId, keepEqualLeft);
            node.Right = left;
            node.Update();
            return (node, right);
        }
        else
        {
            var (left, right) = Split(node.Left, score, playerId, keepEqualLeft);
            node.Left = right;
            node.Update();
            return (left, node);
        }
    }

    private static Node? Merge(Node? left, Node? right)
    {
        if (left is null)
        {
            return right;
        }

        if (right is null)
        {
            return left;
        }

        if (left.Priority > right.Priority)
        {
            left.Right = Merge(left.Right, right);
            left.Update();
            return left;
        }

        right.Left = Merge(left, right.Left);
        right.Update();
        return right;
    }

    private sealed class Node(long score, string playerId, uint priority)
    {
        public long Score { get; } = score;

        public string PlayerId { get; } = playerId;

        public uint Priority { get; } = priority;

        public int Size { get; private set; } = 1;

        public Node? Left { get; set; }

        public Node? Right { get; set; }

        public void Update() => Size = 1 + RankedSet.Size(Left) + RankedSet.Size(Right);
    }
}
