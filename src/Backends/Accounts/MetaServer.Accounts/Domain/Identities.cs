using System.Collections.Immutable;

namespace MetaServer.Accounts.Domain;

/// <summary>Kinds of identity an account can log in with. The lowercase name is the storage key prefix.</summary>
public enum IdentityKind
{
    Device = 1,
    Custom = 2,
    Apple = 3,
    Google = 4,
}

/// <summary>
/// One identity of an account: a device id, a custom id, or a provider account (Apple/Google <c>sub</c>).
/// Devices are listed in <see cref="Account.DeviceIds"/>, every other kind in <see cref="Account.Identities"/>.
/// </summary>
public sealed record LinkedIdentity(IdentityKind Kind, string Id)
{
    /// <summary>The storage key prefix of the kind: <c>device</c>, <c>custom</c>, <c>apple</c>, <c>google</c>.</summary>
    public string KindName => NameOf(Kind);

    public static LinkedIdentity Device(string deviceId) => new(IdentityKind.Device, deviceId);

    public static string NameOf(IdentityKind kind) => kind switch
    {
        IdentityKind.Device => "device",
        IdentityKind.Custom => "custom",
        IdentityKind.Apple => "apple",
        IdentityKind.Google => "google",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown identity kind."),
    };

    /// <summary>What a player reads: "device", "custom id", "Apple account", "Google account".</summary>
    public static string Describe(IdentityKind kind) => kind switch
    {
        IdentityKind.Device => "device",
        IdentityKind.Custom => "custom id",
        IdentityKind.Apple => "Apple account",
        IdentityKind.Google => "Google account",
        _ => "identity",
    };

    /// <summary>Identity ids are credentials: never printed.</summary>
    public override string ToString() => $"LinkedIdentity {{ Kind = {Kind}, Id = <redacted> }}";
}

/// <summary>A ban on an account: logins and session resumes are refused until <see cref="ExpiresAt"/> (never when null).</summary>
public sealed record AccountBan
{
    public required string Reason { get; init; }

    public required DateTimeOffset BannedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public required string Operator { get; init; }

    /// <summary>True while the ban blocks the account at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => ExpiresAt is not { } expires || now < expires;
}

/// <summary>One operator action on an account (ban or unban), kept for audits and to apply a request at most once.</summary>
public sealed record ModerationEntry
{
    public const string BanAction = "ban";
    public const string UnbanAction = "unban";

    public required string Action { get; init; }

    public required string RequestId { get; init; }

    public required string Operator { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>Identity and moderation helpers on <see cref="Account"/>.</summary>
public static class AccountIdentityExtensions
{
    /// <summary>Most moderation entries kept per account; older ones are dropped first.</summary>
    public const int MaxModerationEntries = 50;

    /// <summary>Devices plus other identities.</summary>
    public static int IdentityCount(this Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.DeviceIds.Length + account.Identities.Length;
    }

    public static bool HasIdentity(this Account account, LinkedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(identity);
        return identity.Kind == IdentityKind.Device
            ? account.DeviceIds.Contains(identity.Id, StringComparer.Ordinal)
            : account.Identities.Contains(identity);
    }

    public static Account WithIdentity(this Account account, LinkedIdentity identity)
    {
        if (account.HasIdentity(identity))
        {
            return account;
        }

        return identity.Kind == IdentityKind.Device
            ? account with { DeviceIds = account.DeviceIds.Add(identity.Id) }
            : account with { Identities = account.Identities.Add(identity) };
    }

    public static Account WithoutIdentity(this Account account, LinkedIdentity identity)
    {
        if (!account.HasIdentity(identity))
        {
            return account;
        }

        return identity.Kind == IdentityKind.Device
            ? account with { DeviceIds = account.DeviceIds.Remove(identity.Id, StringComparer.Ordinal) }
            : account with { Identities = account.Identities.Remove(identity) };
    }

    /// <summary>The ban blocking the account at <paramref name="now"/>, or null.</summary>
    public static AccountBan? ActiveBan(this Account account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.Ban is { } ban && ban.IsActiveAt(now) ? ban : null;
    }

    public static bool HasModerationRequest(this Account account, string requestId)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.ModerationLog.Any(e => string.Equals(e.RequestId, requestId, StringComparison.Ordinal));
    }

    public static Account WithModerationEntry(this Account account, ModerationEntry entry)
    {
        ArgumentNullException.ThrowIfNull(account);
        var log = account.ModerationLog.Add(entry);
        if (log.Length > MaxModerationEntries)
        {
            log = log.RemoveRange(0, log.Length - MaxModerationEntries);
        }

        return account with { ModerationLog = log };
    }

    /// <summary>The plain message of a refused login: reason and expiry.</summary>
    public static string BannedMessage(AccountBan ban)
    {
        ArgumentNullException.ThrowIfNull(ban);
        var until = ban.ExpiresAt is { } expires
            ? $"The ban ends at {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC."
            : "The ban does not expire.";
        return $"This account is banned: {ban.Reason}. {until}";
    }

    internal static ImmutableArray<T> OrEmpty<T>(this List<T>? list) => list is null ? [] : [.. list];
}
