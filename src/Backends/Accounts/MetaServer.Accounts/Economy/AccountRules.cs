using System.Collections.Immutable;
using System.Globalization;
using MetaServer.Accounts.Domain;
using MetaServer.GameConfig;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Economy;

/// <summary>
/// The account mutations as pure functions of (account, request, config, time): each returns the changed account
/// with what it granted, or a refusal. They never touch the store; <c>AccountMutationRunner</c> persists the result.
/// </summary>
public static class AccountRules
{
    /// <summary>
    /// Gives <paramref name="account"/> the config's starting wallet, inventory and loadout (replacing whatever economy
    /// state it had). New accounts get it at creation, schema-1 accounts through the 1 → 2 migration.
    /// </summary>
    public static Account WithStartingGrant(Account account, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(config);
        var empty = account with
        {
            Wallet = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal),
            Inventory = ImmutableDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal),
        };
        var starting = config.Starting;
        var granted = (MutationOutcome.Applied)RewardRules.Apply(empty, new Reward(starting.Currencies, starting.Items, 0), config, GrantMode.Lenient);
        var loadout = starting.Loadout;
        return granted.Account with
        {
            Loadout = new AccountLoadout(loadout.HeroId, loadout.PrimaryWeaponId, loadout.SecondaryWeaponId, loadout.MeleeWeaponId, loadout.AvatarId),
        };
    }

    /// <summary>Level of the account by the config's level curve.</summary>
    public static int Level(Account account, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(config);
        return config.Levels.LevelForXp(account.Xp);
    }

    /// <summary>Sets the nickname when the config's nickname rules (length, characters, deny list) allow it.</summary>
    public static MutationOutcome SetNickname(Account account, string nickname, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(nickname);
        ArgumentNullException.ThrowIfNull(config);
        if (config.CheckNickname(nickname) is { } problem)
        {
            return MutationOutcome.Refuse(ResultCode.InvalidArgument, problem);
        }

        return MutationOutcome.Apply(account with { Nickname = nickname }, Granted.None);
    }

    /// <summary>
    /// Equips the items named in <paramref name="change"/> (empty fields keep the current item). Each must exist
    /// (else NOT_FOUND), fit its slot (else INVALID_ARGUMENT) and be owned (else FAILED_PRECONDITION).
    /// </summary>
    public static MutationOutcome SetLoadout(Account account, AccountLoadout change, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(config);
        var slots = new (string Slot, string ItemId)[]
        {
            ("hero", change.Hero),
            (WeaponSlots.Primary, change.Primary),
            (WeaponSlots.Secondary, change.Secondary),
            (WeaponSlots.Melee, change.Melee),
            (CosmeticSlots.Avatar, change.Avatar),
        };
        if (slots.All(s => string.IsNullOrEmpty(s.ItemId)))
        {
            return MutationOutcome.Refuse(ResultCode.InvalidArgument, "The loadout change names no item.");
        }

        foreach (var (slot, itemId) in slots)
        {
            if (string.IsNullOrEmpty(itemId))
            {
                continue;
            }

            if (config.FindItem(itemId) is not { } item)
            {
                return MutationOutcome.Refuse(ResultCode.NotFound, $"No item has the id '{Truncate(itemId)}'.");
            }

            var fits = slot == "hero"
                ? item.Kind == ItemKind.Hero
                : item.Kind is ItemKind.Weapon or ItemKind.Cosmetic && string.Equals(item.Slot, slot, StringComparison.Ordinal);
            if (!fits)
            {
                return MutationOutcome.Refuse(ResultCode.InvalidArgument, $"{item.Name} does not fit the {slot} slot.");
            }

            if (!InventoryRules.Owns(account.Inventory, itemId))
            {
                return MutationOutcome.Refuse(ResultCode.FailedPrecondition, $"You don't own {item.Name}.");
            }
        }

        var current = account.Loadout ?? new AccountLoadout(string.Empty, string.Empty, string.Empty, string.Empty, string.Empty);
        var loadout = new AccountLoadout(
            Pick(change.Hero, current.Hero),
            Pick(change.Primary, current.Primary),
            Pick(change.Secondary, current.Secondary),
            Pick(change.Melee, current.Melee),
            Pick(change.Avatar, current.Avatar));
        return MutationOutcome.Apply(account with { Loadout = loadout }, Granted.None);
    }

    /// <summary>
    /// Buys a store offer: unknown or disabled → NOT_FOUND; per-account limit reached → FAILED_PRECONDITION;
    /// balance short of the price → INSUFFICIENT_FUNDS ("You need 300 more gold."); a grant that would not fit
    /// (owned unique item, full stack or wallet) → FAILED_PRECONDITION. Otherwise debits the price, grants the
    /// offer and counts the purchase.
    /// </summary>
    public static MutationOutcome Purchase(Account account, string offerId, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(offerId);
        ArgumentNullException.ThrowIfNull(config);
        if (config.FindOffer(offerId) is not { } offer)
        {
            return MutationOutcome.Refuse(ResultCode.NotFound, $"The store has no offer '{Truncate(offerId)}'.");
        }

        if (!offer.Enabled)
        {
            return MutationOutcome.Refuse(ResultCode.NotFound, $"{offer.Name} is not available in the store right now.");
        }

        var bought = account.OfferPurchases.GetValueOrDefault(offer.Id);
        if (offer.LimitPerAccount is { } limit && bought >= limit)
        {
            return MutationOutcome.Refuse(
                ResultCode.FailedPrecondition,
                limit == 1
                    ? $"You already bought {offer.Name}."
                    : string.Create(CultureInfo.InvariantCulture, $"You can buy {offer.Name} at most {limit} times."));
        }

        var price = offer.Price;
        if (!WalletRules.TryDebit(account.Wallet, price.CurrencyId, price.Amount, out var wallet, out var shortfall))
        {
            return MutationOutcome.Refuse(
                ResultCode.InsufficientFunds,
                string.Create(CultureInfo.InvariantCulture, $"You need {shortfall} more {price.CurrencyId}."));
        }

        var paid = account with
        {
            Wallet = wallet,
            OfferPurchases = account.OfferPurchases.SetItem(offer.Id, bought + 1),
        };
        return RewardRules.Apply(paid, offer.Grants, config, GrantMode.Strict);
    }

    /// <summary>
    /// Claims a completed quest's reward: unknown → NOT_FOUND; not complete or already claimed → FAILED_PRECONDITION.
    /// A repeatable quest starts over at 0 progress; a one-off quest stays claimed.
    /// </summary>
    public static MutationOutcome ClaimQuest(Account account, string questId, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(questId);
        ArgumentNullException.ThrowIfNull(config);
        if (config.FindQuest(questId) is not { } quest)
        {
            return MutationOutcome.Refuse(ResultCode.NotFound, $"No quest has the id '{Truncate(questId)}'.");
        }

        var state = account.Quests.GetValueOrDefault(quest.Id) ?? new QuestProgress(0, false, 0);
        if (state.Claimed)
        {
            return MutationOutcome.Refuse(ResultCode.FailedPrecondition, $"You already claimed the reward of \"{quest.Name}\".");
        }

        if (state.Progress < quest.Goal.Target)
        {
            return MutationOutcome.Refuse(
                ResultCode.FailedPrecondition,
                string.Create(CultureInfo.InvariantCulture, $"\"{quest.Name}\" is not complete yet ({state.Progress}/{quest.Goal.Target})."));
        }

        var claimed = quest.Repeatable
            ? new QuestProgress(0, false, state.TimesClaimed + 1)
            : new QuestProgress(state.Progress, true, state.TimesClaimed + 1);
        return RewardRules.Apply(account with { Quests = account.Quests.SetItem(quest.Id, claimed) }, quest.Reward, config, GrantMode.Lenient);
    }

    /// <summary>
    /// Applies one player's match result: the game mode's reward for the outcome (and its XP), then quest progress
    /// from <paramref name="stats"/>. The outcome is authoritative for <c>matchesPlayed</c> (1) and <c>wins</c>
    /// (1 for a win, else 0), whatever the stats say. Progress is capped at each quest's target and claimed one-off
    /// quests no longer progress. An unknown game mode → INVALID_ARGUMENT.
    /// </summary>
    public static MutationOutcome ApplyMatchResult(
        Account account,
        string gameMode,
        MatchOutcome outcome,
        IReadOnlyDictionary<string, long> stats,
        GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(gameMode);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(config);
        if (config.FindGameMode(gameMode) is null)
        {
            return MutationOutcome.Refuse(ResultCode.InvalidArgument, $"The game config has no game mode '{Truncate(gameMode)}'.");
        }

        var effective = new Dictionary<string, long>(stats, StringComparer.Ordinal)
        {
            [QuestStats.MatchesPlayed] = 1,
            [QuestStats.Wins] = outcome == MatchOutcome.Win ? 1 : 0,
        };
        var quests = account.Quests;
        foreach (var quest in config.Quests)
        {
            var goal = quest.Goal;
            if (goal.GameMode is not null && !string.Equals(goal.GameMode, gameMode, StringComparison.Ordinal))
            {
                continue;
            }

            if (!effective.TryGetValue(goal.Stat, out var value) || value <= 0)
            {
                continue;
            }

            var state = quests.GetValueOrDefault(quest.Id) ?? new QuestProgress(0, false, 0);
            if (state.Claimed || state.Progress >= goal.Target)
            {
                continue;
            }

            quests = quests.SetItem(quest.Id, state with { Progress = Math.Min(goal.Target, state.Progress + value) });
        }

        var reward = config.FindMatchReward(gameMode)?.For(outcome) ?? Reward.Empty;
        return RewardRules.Apply(account with { Quests = quests }, reward, config, GrantMode.Lenient);
    }

    /// <summary>
    /// Claims the daily login reward of the login day of <paramref name="now"/> (days start at the config's reset
    /// hour, UTC): once per day (else FAILED_PRECONDITION). Consecutive days walk the config's cycle; a missed day
    /// starts it over.
    /// </summary>
    public static MutationOutcome ClaimDailyReward(Account account, DateTimeOffset now, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(config);
        var daily = config.DailyLogin;
        if (daily.Days.IsEmpty)
        {
            return MutationOutcome.Refuse(ResultCode.FailedPrecondition, "There is no daily reward.");
        }

        var today = daily.LoginDayOf(now);
        if (account.DailyLogin.LastClaimDay == today)
        {
            var next = NextDailyReset(now, config);
            return MutationOutcome.Refuse(
                ResultCode.FailedPrecondition,
                string.Create(CultureInfo.InvariantCulture, $"You already claimed today's reward; the next one is available at {next:yyyy-MM-dd HH:mm} UTC."));
        }

        var index = DailyDayIndex(account.DailyLogin, today, daily.Days.Length);
        var claimed = account with { DailyLogin = new DailyLoginState(today, index) };
        return RewardRules.Apply(claimed, daily.RewardForStreakDay(index), config, GrantMode.Lenient);
    }

    /// <summary>The cycle position a claim on <paramref name="day"/> pays: the next one after a claim the day before, else 0.</summary>
    public static int DailyDayIndex(DailyLoginState state, DateOnly day, int cycleLength)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cycleLength);
        return state.LastClaimDay is { } last && last == day.AddDays(-1) ? (state.LastDayIndex + 1) % cycleLength : 0;
    }

    /// <summary>The start of the login day after the one <paramref name="now"/> is in.</summary>
    public static DateTimeOffset NextDailyReset(DateTimeOffset now, GameConfig.GameConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var day = config.DailyLogin.LoginDayOf(now);
        return new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(config.DailyLogin.ResetHourUtc);
    }

    private static string Pick(string requested, string current) => string.IsNullOrEmpty(requested) ? current : requested;

    /// <summary>Client-supplied ids echoed in messages are cut short.</summary>
    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
