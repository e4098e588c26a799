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
    public const int CurrentSchemaVersion = 1;

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

    /// <summary>
    /// Document fields this build does not know: fields of an older schema that a migration still has to
    /// consume, or fields written by a newer build. They are written back unchanged.
    /// </summary>
    public ImmutableDictionary<string, JsonElement> ExtraFields { get; init; } = ImmutableDictionary<string, JsonElement>.Empty;
}
