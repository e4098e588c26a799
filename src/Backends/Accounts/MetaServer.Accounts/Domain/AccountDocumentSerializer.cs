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
            Wallet = account.Wallet.IsEmpty ? null : new SortedDictionary<string, long>(account.Wallet, StringComparer.Ordinal),
            Inventory = account.Inventory.IsEmpty ? null : new SortedDictionary<string, int>(account.Inventory, StringComparer.Ordinal),
            Loadout = account.Loadout is { } l ? new LoadoutDocument { Hero = l.Hero, Primary = l.Primary, Secondary = l.Secondary, Melee = l.Melee, Avatar = l.Avatar } : null,
            Xp = account.Xp == 0 ? null : account.Xp,
            Quests = account.Quests.IsEmpty
                ? null
                : new SortedDictionary<string, QuestDocument>(
                    account.Quests.ToDictionary(q => q.Key, q => new QuestDocument { Progress = q.Value.Progress, Claimed = q.Value.Claimed, TimesClaimed = q.Value.TimesClaimed }, StringComparer.Ordinal),
                    StringComparer.Ordinal),
            DailyLogin = account.DailyLogin.LastClaimDay is null
                ? null
                : new DailyLoginDocument { LastClaimDay = account.DailyLogin.LastClaimDay, LastDayIndex = account.DailyLogin.LastDayIndex },
            OfferPurchases = account.OfferPurchases.IsEmpty ? null : new SortedDictionary<string, int>(account.OfferPurchases, StringComparer.Ordinal),
            RecentMutations = account.RecentMutations.IsDefaultOrEmpty ? null : [.. account.RecentMutations.Select(ToDocument)],
            Purchases = account.Purchases.IsEmpty
                ? null
                : new SortedDictionary<string, PurchaseDocument>(account.Purchases.ToDictionary(p => p.Key, p => ToDocument(p.Value), StringComparer.Ordinal), StringComparer.Ordinal),
            PaymentFlagged = account.PaymentFlagged ? true : null,
            PaymentShortfall = account.PaymentShortfall.IsEmpty ? null : new SortedDictionary<string, long>(account.PaymentShortfall, StringComparer.Ordinal),
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
            Wallet = ToImmutable(document.Wallet),
            Inventory = ToImmutable(document.Inventory),
            Loadout = document.Loadout is { } l
                ? new AccountLoadout(l.Hero ?? string.Empty, l.Primary ?? string.Empty, l.Secondary ?? string.Empty, l.Melee ?? string.Empty, l.Avatar ?? string.Empty)
                : null,
            Xp = document.Xp ?? 0,
            Quests = document.Quests is null
                ? ImmutableDictionary<string, QuestProgress>.Empty.WithComparers(StringComparer.Ordinal)
                : document.Quests.ToImmutableDictionary(q => q.Key, q => new QuestProgress(q.Value.Progress, q.Value.Claimed, q.Value.TimesClaimed), StringComparer.Ordinal),
            DailyLogin = document.DailyLogin is { } d ? new DailyLoginState(d.LastClaimDay, d.LastDayIndex) : DailyLoginState.None,
            OfferPurchases = ToImmutable(document.OfferPurchases),
            RecentMutations = document.RecentMutations is null ? [] : [.. document.RecentMutations.Select(FromDocument)],
            Purchases = document.Purchases is null
                ? ImmutableDictionary<string, AccountPurchase>.Empty.WithComparers(StringComparer.Ordinal)
                : document.Purchases.ToImmutableDictionary(p => p.Key, p => FromDocument(accountId, p.Value), StringComparer.Ordinal),
            PaymentFlagged = document.PaymentFlagged ?? false,
            PaymentShortfall = ToImmutable(document.PaymentShortfall),
            ExtraFields = document.Extra is null
                ? ImmutableDictionary<string, JsonElement>.Empty
                : document.Extra.ToImmutableDictionary(StringComparer.Ordinal),
        };
    }

    private static ImmutableDictionary<string, T> ToImmutable<T>(IDictionary<string, T>? values) =>
        values is null
            ? ImmutableDictionary<string, T>.Empty.WithComparers(StringComparer.Ordinal)
            : values.ToImmutableDictionary(StringComparer.Ordinal);

    private static MutationDocument ToDocument(MutationRecord record) => new()
    {
        Key = record.RequestKey,
        Type = record.MessageType,
        Fingerprint = record.Fingerprint,
        Currencies = record.Granted.Currencies.IsEmpty ? null : new SortedDictionary<string, long>(record.Granted.Currencies, StringComparer.Ordinal),
        Items = record.Granted.Items.IsEmpty ? null : new SortedDictionary<string, int>(record.Granted.Items, StringComparer.Ordinal),
        Xp = record.Granted.Xp == 0 ? null : record.Granted.Xp,
        Revision = record.RevisionAfter,
        At = record.AppliedAt,
    };

    private static MutationRecord FromDocument(MutationDocument document) => new(
        document.Key ?? string.Empty,
        document.Type ?? string.Empty,
        document.Fingerprint ?? string.Empty,
        new Granted(ToImmutable(document.Currencies), ToImmutable(document.Items), document.Xp ?? 0),
        document.Revision,
        document.At);

    private static PurchaseDocument ToDocument(AccountPurchase purchase) => new()
    {
        Offer = purchase.OfferId,
        State = purchase.State == AccountPurchaseState.Revoked ? "revoked" : "granted",
        Currencies = purchase.Granted.Currencies.IsEmpty ? null : new SortedDictionary<string, long>(purchase.Granted.Currencies, StringComparer.Ordinal),
        Items = purchase.Granted.Items.IsEmpty ? null : new SortedDictionary<string, int>(purchase.Granted.Items, StringComparer.Ordinal),
        Xp = purchase.Granted.Xp == 0 ? null : purchase.Granted.Xp,
        At = purchase.At,
        RevokedCurrencies = purchase.Revoked.Currencies.IsEmpty ? null : new SortedDictionary<string, long>(purchase.Revoked.Currencies, StringComparer.Ordinal),
        RevokedItems = purchase.Revoked.Items.IsEmpty ? null : new SortedDictionary<string, int>(purchase.Revoked.Items, StringComparer.Ordinal),
        Shortfall = purchase.Shortfall.IsEmpty ? null : new SortedDictionary<string, long>(purchase.Shortfall, StringComparer.Ordinal),
        RevokedAt = purchase.RevokedAt,
    };

    private static AccountPurchase FromDocument(string accountId, PurchaseDocument document) => new(
        document.Offer ?? string.Empty,
        document.State switch
        {
            "granted" => AccountPurchaseState.Granted,
            "revoked" => AccountPurchaseState.Revoked,
            _ => throw new JsonException($"The document of account '{accountId}' has a purchase in unknown state '{document.State}'."),
        },
        new Granted(ToImmutable(document.Currencies), ToImmutable(document.Items), document.Xp ?? 0),
        document.At,
        new Granted(ToImmutable(document.RevokedCurrencies), ToImmutable(document.RevokedItems), 0),
        ToImmutable(document.Shortfall),
        document.RevokedAt);

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

    public SortedDictionary<string, long>? Wallet { get; set; }

    public SortedDictionary<string, int>? Inventory { get; set; }

    public LoadoutDocument? Loadout { get; set; }

    public long? Xp { get; set; }

    public SortedDictionary<string, QuestDocument>? Quests { get; set; }

    public DailyLoginDocument? DailyLogin { get; set; }

    public SortedDictionary<string, int>? OfferPurchases { get; set; }

    public List<MutationDocument>? RecentMutations { get; set; }

    public SortedDictionary<string, PurchaseDocument>? Purchases { get; set; }

    public bool? PaymentFlagged { get; set; }

    public SortedDictionary<string, long>? PaymentShortfall { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

internal sealed class LoadoutDocument
{
    public string? Hero { get; set; }

    public string? Primary { get; set; }

    public string? Secondary { get; set; }

    public string? Melee { get; set; }

    public string? Avatar { get; set; }
}

internal sealed class QuestDocument
{
    public long Progress { get; set; }

    public bool Claimed { get; set; }

    public int TimesClaimed { get; set; }
}

internal sealed class DailyLoginDocument
{
    public DateOnly? LastClaimDay { get; set; }

    public int LastDayIndex { get; set; }
}

/// <summary>A stored <see cref="MutationRecord"/>, with short names: up to the record limit of them live in every account.</summary>
internal sealed class MutationDocument
{
    public string? Key { get; set; }

    public string? Type { get; set; }

    public string? Fingerprint { get; set; }

    public SortedDictionary<string, long>? Currencies { get; set; }

    public SortedDictionary<string, int>? Items { get; set; }

    public long? Xp { get; set; }

    public long Revision { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>A stored <see cref="AccountPurchase"/>.</summary>
internal sealed class PurchaseDocument
{
    public string? Offer { get; set; }

    public string? State { get; set; }

    public SortedDictionary<string, long>? Currencies { get; set; }

    public SortedDictionary<string, int>? Items { get; set; }

    public long? Xp { get; set; }

    public DateTimeOffset At { get; set; }

    public SortedDictionary<string, long>? RevokedCurrencies { get; set; }

    public SortedDictionary<string, int>? RevokedItems { get; set; }

    public SortedDictionary<string, long>? Shortfall { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccountDocument))]
internal sealed partial class AccountJsonContext : JsonSerializerContext;
