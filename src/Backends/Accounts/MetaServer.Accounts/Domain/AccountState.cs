using System.Collections.Immutable;

namespace MetaServer.Accounts.Domain;

/// <summary>The equipped hero, weapons and avatar: item ids the account owns.</summary>
public sealed record AccountLoadout(string Hero, string Primary, string Secondary, string Melee, string Avatar);

/// <summary>Progress of one quest: <see cref="Progress"/> counts up to the goal's target; a claimed non-repeatable quest stays claimed.</summary>
public sealed record QuestProgress(long Progress, bool Claimed, int TimesClaimed);

/// <summary>
/// Daily login state: the login day of the last claim and the 0-based position in the config's cycle it paid.
/// Claiming on the login day right after <see cref="LastClaimDay"/> continues the streak (next position, cycling);
/// missing a day starts the cycle over at position 0.
/// </summary>
public sealed record DailyLoginState(DateOnly? LastClaimDay, int LastDayIndex)
{
    public static DailyLoginState None { get; } = new(null, 0);
}

/// <summary>What one mutation gave the account: currencies and items actually added, and XP.</summary>
public sealed record Granted(ImmutableDictionary<string, long> Currencies, ImmutableDictionary<string, int> Items, long Xp)
{
    public static Granted None { get; } = new(
        ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal),
        0);

    public bool IsEmpty => Currencies.IsEmpty && Items.IsEmpty && Xp == 0;

    public Granted AddCurrency(string currencyId, long amount) =>
        amount == 0 ? this : this with { Currencies = Currencies.SetItem(currencyId, Currencies.GetValueOrDefault(currencyId) + amount) };

    public Granted AddItem(string itemId, int quantity) =>
        quantity == 0 ? this : this with { Items = Items.SetItem(itemId, Items.GetValueOrDefault(itemId) + quantity) };

    public Granted AddXp(long xp) => xp == 0 ? this : this with { Xp = Xp + xp };
}

/// <summary>
/// An applied mutation, kept in the account so a retry or redelivery of the same request is recognised and
/// answered without applying it again. Only successful mutations are recorded: a refused request changed nothing,
/// so evaluating its retry again can never apply anything twice (and recording it would cost a write).
/// </summary>
/// <param name="RequestKey">The client request id, or <c>match:&lt;match id&gt;</c> for a match result.</param>
/// <param name="MessageType">The request's message type; the same key with another type is refused.</param>
/// <param name="Fingerprint">Hash of the request payload; the same key with another payload is refused.</param>
/// <param name="Granted">What the mutation granted, answered again to a retry.</param>
/// <param name="RevisionAfter">The account revision the mutation wrote.</param>
/// <param name="AppliedAt">When it was applied.</param>
public sealed record MutationRecord(string RequestKey, string MessageType, string Fingerprint, Granted Granted, long RevisionAfter, DateTimeOffset AppliedAt);
