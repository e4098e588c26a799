using System.Collections.Immutable;
using System.Text.Json;

namespace MetaServer.Accounts.Domain;

/// <summary>
/// A stored account. The store keeps <see cref="AccountId"/> and <see cref="Revision"/> as keys/columns and
/// everything else as a JSON document (see <see cref="AccountDocumentSerializer"/>), so later schema versions can
/// add fields without a table change.
/// </summary>
public sealed record Account
{
    /// <summary>Schema version every account written by this build has. Older accounts are migrated at login.</summary>
    public const int CurrentSchemaVersion = 2;

    public required string AccountId { get; init; }

    /// <summary>Optimistic-concurrency version: 1 when created, +1 with every stored change.</summary>
    public required long Revision { get; init; }

    /// <summary>Schema version of the stored document; see <see cref="CurrentSchemaVersion"/>.</summary>
    public required int SchemaVersion { get; init; }

    public required string Nickname { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastLoginAt { get; init; }

    /// <summary>Devices linked to this account; the first is the device that created it.</summary>
    public required ImmutableArray<string> DeviceIds { get; init; }

    /// <summary>
    /// Id of the request (queue message) that created the account. A redelivery of that request recognises
    /// its own creation and answers <c>created = true</c> again instead of creating a second account.
    /// </summary>
    public string? CreationRequestId { get; init; }

    /// <summary>Identities other than devices (custom ids, Apple/Google accounts); empty in older documents.</summary>
    public ImmutableArray<LinkedIdentity> Identities { get; init; } = [];

    /// <summary>The current (or last, possibly expired) ban; null when never banned or unbanned.</summary>
    public AccountBan? Ban { get; init; }

    /// <summary>Operator actions (ban, unban), oldest first, at most <see cref="AccountIdentityExtensions.MaxModerationEntries"/>.</summary>
    public ImmutableArray<ModerationEntry> ModerationLog { get; init; } = [];

    // Schema 2: economy and progression (see docs/account-migrations.md; 1 -> 2 grants the config's starting wallet,
    // inventory and loadout). Every collection is empty on an account of schema 1.

    /// <summary>Currency id → balance; never negative and never above the currency's configured max.</summary>
    public ImmutableDictionary<string, long> Wallet { get; init; } = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Item id → quantity owned (1 for unique items); items with quantity 0 are absent.</summary>
    public ImmutableDictionary<string, int> Inventory { get; init; } = ImmutableDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The equipped items; null only before the account reaches schema 2.</summary>
    public AccountLoadout? Loadout { get; init; }

    /// <summary>Total account XP; the level is derived from it with the config's level curve.</summary>
    public long Xp { get; init; }

    /// <summary>Quest id → progress and claim state; quests never progressed are absent.</summary>
    public ImmutableDictionary<string, QuestProgress> Quests { get; init; } = ImmutableDictionary<string, QuestProgress>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Daily login reward state.</summary>
    public DailyLoginState DailyLogin { get; init; } = DailyLoginState.None;

    /// <summary>Store offer id → times bought.</summary>
    public ImmutableDictionary<string, int> OfferPurchases { get; init; } = ImmutableDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Real-money purchases granted or revoked, by <see cref="AccountPurchaseKeys.Of"/> (kept for good: one entry per purchase).
    /// </summary>
    public ImmutableDictionary<string, AccountPurchase> Purchases { get; init; } = ImmutableDictionary<string, AccountPurchase>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Set when a refund could not take back everything its purchase granted (clawback policy FlagAccount, or items no
    /// longer held): <see cref="PaymentShortfall"/> holds the missing amounts (currency or item id → amount). Operators
    /// decide what to do; nothing in the server refuses a flagged account.
    /// </summary>
    public bool PaymentFlagged { get; init; }

    /// <summary>Currency or item id → amount refunds could not take back; empty unless <see cref="PaymentFlagged"/>.</summary>
    public ImmutableDictionary<string, long> PaymentShortfall { get; init; } = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// The most recent applied mutations, oldest first, bounded (<c>AccountsOptions.MutationRecordLimit</c>). They live in the
    /// account document so that recording a request id and applying its change are one conditional write.
    /// </summary>
    public ImmutableArray<MutationRecord> RecentMutations { get; init; } = [];

    /// <summary>
    /// Document fields this build does not know: fields of an older schema that a migration still has to
    /// consume, or fields written by a newer build. They are written back unchanged.
    /// </summary>
    public ImmutableDictionary<string, JsonElement> ExtraFields { get; init; } = ImmutableDictionary<string, JsonElement>.Empty;
}
