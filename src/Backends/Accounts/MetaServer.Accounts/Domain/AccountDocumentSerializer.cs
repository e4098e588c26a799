using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetaServer.Accounts.Domain;

/// <summary>
/// Converts an <see cref="Account"/> to and from its stored JSON document. The document holds every field except
/// the account id and the revision, which the store keeps as its key and condition attribute/column.
/// Unknown fields survive a read-modify-write round trip (<see cref="Account.ExtraFields"/>).
/// </summary>
public static class AccountDocumentSerializer
{
    /// <summary>The JSON document of <paramref name="account"/> (without account id and revision).</summary>
    public static string Serialize(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var document = new AccountDocument
        {
            SchemaVersion = account.SchemaVersion,
            Nickname = account.Nickname,
            CreatedAt = account.CreatedAt,
            LastLoginAt = account.LastLoginAt,
            DeviceIds = [.. account.DeviceIds],
            CreationRequestId = account.CreationRequestId,
            Identities = account.Identities.IsDefaultOrEmpty ? null : [.. account.Identities.Select(i => new IdentityDocument { Kind = i.KindName, Id = i.Id })],
            Ban = account.Ban,
            ModerationLog = account.ModerationLog.IsDefaultOrEmpty ? null : [.. account.ModerationLog],
            Extra = account.ExtraFields.IsEmpty ? null : new Dictionary<string, JsonElement>(account.ExtraFields, StringComparer.Ordinal),
        };
        return JsonSerializer.Serialize(document, AccountJsonContext.Default.AccountDocument);
    }

    /// <summary>Reads a stored document. Fields missing in an old document get empty values; migrations fill them.</summary>
    /// <exception cref="JsonException">The document is not a JSON object of the expected shape.</exception>
    public static Account Deserialize(string accountId, long revision, string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentNullException.ThrowIfNull(json);
        var document = JsonSerializer.Deserialize(json, AccountJsonContext.Default.AccountDocument)
            ?? throw new JsonException($"The document of account '{accountId}' is null.");
        return new Account
        {
            AccountId = accountId,
            Revision = revision,
            SchemaVersion = document.SchemaVersion,
            Nickname = document.Nickname ?? string.Empty,
            CreatedAt = document.CreatedAt,
            LastLoginAt = document.LastLoginAt,
            DeviceIds = document.DeviceIds is null ? [] : [.. document.DeviceIds],
            CreationRequestId = document.CreationRequestId,
            Identities = document.Identities is null ? [] : [.. document.Identities.Select(i => ReadIdentity(accountId, i))],
            Ban = document.Ban,
            ModerationLog = document.ModerationLog.OrEmpty(),
            ExtraFields = document.Extra is null
                ? ImmutableDictionary<string, JsonElement>.Empty
                : document.Extra.ToImmutableDictionary(StringComparer.Ordinal),
        };
    }

    private static LinkedIdentity ReadIdentity(string accountId, IdentityDocument identity)
    {
        var kind = identity.Kind switch
        {
            "custom" => IdentityKind.Custom,
            "apple" => IdentityKind.Apple,
            "google" => IdentityKind.Google,
            _ => throw new JsonException($"The document of account '{accountId}' has an identity of unknown kind '{identity.Kind}'."),
        };
        return string.IsNullOrEmpty(identity.Id)
            ? throw new JsonException($"The document of account '{accountId}' has an identity without id.")
            : new LinkedIdentity(kind, identity.Id);
    }
}

/// <summary>A stored identity link: <c>{"kind":"google","id":"&lt;sub&gt;"}</c>.</summary>
internal sealed class IdentityDocument
{
    public string? Kind { get; set; }

    public string? Id { get; set; }
}

/// <summary>The stored shape of an account. Property names are camelCase in JSON.</summary>
internal sealed class AccountDocument
{
    public int SchemaVersion { get; set; }

    public string? Nickname { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastLoginAt { get; set; }

    public List<string>? DeviceIds { get; set; }

    public string? CreationRequestId { get; set; }

    public List<IdentityDocument>? Identities { get; set; }

    public AccountBan? Ban { get; set; }

    public List<ModerationEntry>? ModerationLog { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountDocument))]
internal sealed partial class AccountJsonContext : JsonSerializerContext;
