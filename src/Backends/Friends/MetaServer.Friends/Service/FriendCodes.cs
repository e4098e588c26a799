using System.Security.Cryptography;
using MetaServer.Friends.Storage;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Service;

/// <summary>
/// Friend codes: 8 characters of an alphabet without look-alikes (no 0/O, 1/I/L), owned by the friends service.
/// A player's code is allocated on first use: a random code is claimed with a conditional put of
/// <c>code#&lt;code&gt;</c> → account (taken: another code is drawn), then recorded in the player's graph record with a
/// conditional write. When that write loses a race, the claimed code is released again; a crash between the two
/// writes leaves an unused code that still names the right player (harmless).
/// </summary>
internal sealed class FriendCodes(GraphStore graphs, IOptions<FriendsOptions> options)
{
    public const int Length = 8;
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// <summary>The player's code, allocated when they have none yet.</summary>
    public async Task<string> GetOrAllocateAsync(string accountId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < options.Value.MaxWriteAttempts; attempt++)
        {
            var graph = await graphs.ReadAsync(accountId, cancellationToken);
            if (graph.Record.FriendCode is { } existing)
            {
                return existing;
            }

            var code = Generate();
            var codeKey = FriendStoreKeys.Code(code);
            if (await graphs.Store.TryWriteAsync(codeKey, RecordCodec.Encode(new CodeRecord { AccountId = accountId }), 0, cancellationToken) is null)
            {
                continue;
            }

            if (await graphs.TryWriteAsync(graph, graph.Record with { FriendCode = code }, cancellationToken))
            {
                return code;
            }

            await graphs.Store.TryDeleteAsync(codeKey, 1, cancellationToken);
        }

        throw new FriendStoreConflictException($"Could not allocate a friend code for {accountId}; giving up for now.");
    }

    /// <summary>The owner of <paramref name="code"/>, or null when no player has it.</summary>
    public async Task<string?> ResolveAsync(string code, CancellationToken cancellationToken)
    {
        var item = await graphs.Store.GetAsync(FriendStoreKeys.Code(code), cancellationToken);
        return item is null ? null : RecordCodec.Decode<CodeRecord>(item.Value).AccountId;
    }

    /// <summary>The code in canonical form (upper case, without spaces and dashes), or null when it cannot be a code.</summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32)
        {
            return null;
        }

        var code = new string([.. text.Where(c => c is not ('-' or ' ')).Select(char.ToUpperInvariant)]);
        return code.Length == Length && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? code : null;
    }

    private static string Generate() => RandomNumberGenerator.GetString(Alphabet, Length);
}
