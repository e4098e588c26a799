using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace MetaServer.GameConfig;

/// <summary>Soft currency is earned by playing (gold); hard currency is scarce or bought (gems).</summary>
public enum CurrencyKind
{
    Soft = 0,
    Hard = 1,
}

/// <summary>What an item is. Heroes, weapons and cosmetics are unique (owned at most once); stackables have a count.</summary>
public enum ItemKind
{
    Hero = 0,
    Weapon = 1,
    Stackable = 2,
    Cosmetic = 3,
}

/// <summary>The outcome of a match for one player, used to pick the match reward.</summary>
public enum MatchOutcome
{
    Win = 0,
    Loss = 1,
    Draw = 2,
}

/// <summary>A currency players hold in their wallet; a balance never exceeds <see cref="Max"/>.</summary>
public sealed record CurrencyDef(string Id, CurrencyKind Kind, long Max);

/// <summary>
/// An item players can own. <see cref="Slot"/> is the loadout slot of a weapon (<see cref="WeaponSlots"/>) or a cosmetic
/// (<see cref="CosmeticSlots"/>); <see cref="MaxStack"/> is the most a player can hold of a stackable (1 for unique items).
/// </summary>
public sealed record ItemDef(string Id, ItemKind Kind, string Name, string? Slot = null, int MaxStack = 1)
{
    /// <summary>Heroes, weapons and cosmetics are owned at most once; only stackables have a quantity.</summary>
    public bool IsUnique => Kind != ItemKind.Stackable;
}

/// <summary>Loadout slots of weapons.</summary>
public static class WeaponSlots
{
    public const string Primary = "primary";
    public const string Secondary = "secondary";
    public const string Melee = "melee";

    public static FrozenSet<string> All { get; } = new[] { Primary, Secondary, Melee }.ToFrozenSet(StringComparer.Ordinal);
}

/// <summary>Loadout slots of cosmetics.</summary>
public static class CosmeticSlots
{
    public const string Avatar = "avatar";

    public static FrozenSet<string> All { get; } = new[] { Avatar }.ToFrozenSet(StringComparer.Ordinal);
}

/// <summary>An amount of one currency (a price, or part of a reward).</summary>
public sealed record CurrencyAmount(
    [property: JsonPropertyName("currency")] string CurrencyId,
    long Amount);

/// <summary>A quantity of one item (part of a reward or a starting grant).</summary>
public sealed record ItemAmount(
    [property: JsonPropertyName("item")] string ItemId,
    int Quantity = 1);

/// <summary>What a player receives: currencies, items and account XP. Missing lists are empty.</summary>
public sealed record Reward(ImmutableArray<CurrencyAmount> Currencies, ImmutableArray<ItemAmount> Items, long Xp = 0)
{
    public static Reward Empty { get; } = new([], [], 0);

    public ImmutableArray<CurrencyAmount> Currencies { get; init; } = Currencies.IsDefault ? [] : Currencies;

    public ImmutableArray<ItemAmount> Items { get; init; } = Items.IsDefault ? [] : Items;

    public bool IsEmpty => Currencies.IsEmpty && Items.IsEmpty && Xp == 0;
}

/// <summary>The equipped hero, weapons and avatar: item ids.</summary>
public sealed record Loadout(
    [property: JsonPropertyName("hero")] string HeroId,
    [property: JsonPropertyName("primary")] string PrimaryWeaponId,
    [property: JsonPropertyName("secondary")] string SecondaryWeaponId,
    [property: JsonPropertyName("melee")] string MeleeWeaponId,
    [property: JsonPropertyName("avatar")] string AvatarId);

/// <summary>What a new account starts with. Every loadout item is in <see cref="Items"/>.</summary>
public sealed record StartingGrant(ImmutableArray<CurrencyAmount> Currencies, ImmutableArray<ItemAmount> Items, Loadout Loadout)
{
    public ImmutableArray<CurrencyAmount> Currencies { get; init; } = Currencies.IsDefault ? [] : Currencies;

    public ImmutableArray<ItemAmount> Items { get; init; } = Items.IsDefault ? [] : Items;
}

/// <summary>
/// Something the store sells: <see cref="Grants"/> for <see cref="Price"/>. <see cref="LimitPerAccount"/> null means
/// unlimited; a disabled offer is kept in the config but cannot be bought.
/// </summary>
public sealed record StoreOffer(string Id, string Name, Reward Grants, CurrencyAmount Price, int? LimitPerAccount = null, bool Enabled = true);

/// <summary>
/// Something sold for real money in the App Store (<see cref="AppStoreProductId"/>) and/or Google Play
/// (<see cref="GooglePlayProductId"/>): redeeming one verified purchase of the product grants <see cref="Grants"/>.
/// A disabled offer refuses new redemptions (UNKNOWN_PRODUCT) but keeps its product ids known, so refunds of earlier
/// purchases still claw back what was granted.
/// </summary>
public sealed record RealMoneyOffer(string Id, string Name, Reward Grants, string? AppStoreProductId = null, string? GooglePlayProductId = null, bool Enabled = true);

/// <summary>The stats the matches service reports per player and match; quest goals count one of them.</summary>
public static class QuestStats
{
    public const string MatchesPlayed = "matchesPlayed";
    public const string Wins = "wins";
    public const string Kills = "kills";
    public const string Assists = "assists";
    public const string Damage = "damage";
    public const string Headshots = "headshots";
    public const string ObjectivesCaptured = "objectivesCaptured";

    public static FrozenSet<string> All { get; } =
        new[] { MatchesPlayed, Wins, Kills, Assists, Damage, Headshots, ObjectivesCaptured }.ToFrozenSet(StringComparer.Ordinal);
}

/// <summary>Reach <see cref="Target"/> of <see cref="Stat"/> (a <see cref="QuestStats"/> name), in <see cref="GameMode"/> or any mode when null.</summary>
public sealed record QuestGoal(string Stat, long Target, string? GameMode = null);

/// <summary>A quest: a goal and the reward for completing it. A repeatable quest starts over once claimed.</summary>
public sealed record QuestDef(string Id, string Name, QuestGoal Goal, Reward Reward, bool Repeatable = false);

/// <summary>
/// The daily login reward cycle: day 1 gives <c>Days[0]</c>, and after the last day the cycle starts over.
/// A new day starts at <see cref="ResetHourUtc"/> o'clock UTC.
/// </summary>
public sealed record DailyLoginDef(ImmutableArray<Reward> Days, int ResetHourUtc = 0)
{
    public ImmutableArray<Reward> Days { get; init; } = Days.IsDefault ? [] : Days;

    /// <summary>The reward of the given 0-based day of a login streak; the cycle repeats.</summary>
    public Reward RewardForStreakDay(int dayIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dayIndex);
        return Days.IsEmpty ? Reward.Empty : Days[dayIndex % Days.Length];
    }

    /// <summary>The login day an instant belongs to: days run from <see cref="ResetHourUtc"/> to the next day's reset hour.</summary>
    public DateOnly LoginDayOf(DateTimeOffset instant) =>
        DateOnly.FromDateTime(instant.UtcDateTime.AddHours(-ResetHourUtc));
}

/// <summary>A game mode the matches service can run.</summary>
public sealed record GameModeDef(string Id, string Name, int Teams, int PlayersPerTeam, bool FillWithBots = true)
{
    public int MaxPlayers => Teams * PlayersPerTeam;
}

/// <summary>What each player gets at the end of a match of <see cref="GameMode"/>, by outcome.</summary>
public sealed record MatchRewardDef(string GameMode, Reward Win, Reward Loss, Reward Draw)
{
    public Reward For(MatchOutcome outcome) => outcome switch
    {
        MatchOutcome.Win => Win,
        MatchOutcome.Loss => Loss,
        MatchOutcome.Draw => Draw,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown match outcome."),
    };
}

/// <summary>
/// Account levels: <c>XpToReachLevel[0]</c> is the total XP needed for level 2, <c>[1]</c> for level 3, and so on
/// (strictly increasing). Everyone starts at level 1 with 0 XP.
/// </summary>
public sealed record LevelCurve(ImmutableArray<long> XpToReachLevel)
{
    public ImmutableArray<long> XpToReachLevel { get; init; } = XpToReachLevel.IsDefault ? [] : XpToReachLevel;

    public int MaxLevel => XpToReachLevel.Length + 1;

    /// <summary>The level reached with <paramref name="xp"/> total XP (1 to <see cref="MaxLevel"/>).</summary>
    public int LevelForXp(long xp)
    {
        // Number of thresholds at or below xp; thresholds are strictly increasing.
        int low = 0, high = XpToReachLevel.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (XpToReachLevel[mid] <= xp)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low + 1;
    }

    /// <summary>Total XP needed to reach <paramref name="level"/> (0 for level 1).</summary>
    public long XpForLevel(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        return level == 1 ? 0 : XpToReachLevel[level - 2];
    }
}

/// <summary>
/// Limits: nickname rules (length, allowed pattern that the whole nickname must match, case-insensitive deny-listed
/// substrings) and inventory size.
/// </summary>
public sealed record LimitsDef(
    int NicknameMinLength,
    int NicknameMaxLength,
    string NicknameAllowedPattern,
    ImmutableArray<string> NicknameDenyList,
    int MaxInventoryStacks)
{
    public ImmutableArray<string> NicknameDenyList { get; init; } = NicknameDenyList.IsDefault ? [] : NicknameDenyList;
}
