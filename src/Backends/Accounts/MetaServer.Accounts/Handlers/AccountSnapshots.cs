using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Handlers;

public static class AccountSnapshots
{
    /// <summary>
    /// The client view of an account under <paramref name="config"/> at <paramref name="now"/>: identity fields,
    /// the config's version and hash, level and XP, wallet, inventory, loadout, every configured quest with its
    /// progress, the daily reward state and offer purchase counts.
    /// </summary>
    public static AccountSnapshot ToSnapshot(Account account, GameConfig.GameConfig config, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(config);
        var level = AccountRules.Level(account, config);
        var snapshot = new AccountSnapshot
        {
            AccountId = account.AccountId,
            Nickname = account.Nickname,
            CreatedAtUnixMs = account.CreatedAt.ToUnixTimeMilliseconds(),
            LastLoginAtUnixMs = account.LastLoginAt?.ToUnixTimeMilliseconds() ?? 0,
            Revision = account.Revision,
            ConfigVersion = config.Version,
            ConfigHash = config.Hash,
            Level = level,
            Xp = account.Xp,
            NextLevelXp = level >= config.Levels.MaxLevel ? 0 : config.Levels.XpForLevel(level + 1),
            DailyReward = DailyReward(account, config, now),
        };
        snapshot.DeviceIds.AddRange(account.DeviceIds);
        snapshot.Identities.AddRange(account.Identities.Select(i => new AccountIdentity { Kind = IdentityIds.ToProto(i.Kind), Id = i.Id }));
        snapshot.Wallet.Add(account.Wallet);
        snapshot.Inventory.Add(account.Inventory);
        snapshot.OfferPurchases.Add(account.OfferPurchases);
        snapshot.PaymentFlagged = account.PaymentFlagged;
        snapshot.PaymentShortfall.Add(account.PaymentShortfall);
        if (account.Loadout is { } loadout)
        {
            snapshot.Loadout = new Loadout
            {
                Hero = loadout.Hero,
                Primary = loadout.Primary,
                Secondary = loadout.Secondary,
                Melee = loadout.Melee,
                Avatar = loadout.Avatar,
            };
        }

        foreach (var quest in config.Quests)
        {
            var state = account.Quests.GetValueOrDefault(quest.Id);
            var progress = state?.Progress ?? 0;
            snapshot.Quests.Add(new QuestState
            {
                QuestId = quest.Id,
                Progress = progress,
                Target = quest.Goal.Target,
                Completed = progress >= quest.Goal.Target,
                Claimed = state?.Claimed ?? false,
            });
        }

        return snapshot;
    }

    /// <summary>The client form of a <see cref="Granted"/>.</summary>
    public static Grant ToGrant(Granted granted)
    {
        ArgumentNullException.ThrowIfNull(granted);
        var grant = new Grant { Xp = granted.Xp };
        grant.Currencies.Add(granted.Currencies);
        grant.Items.Add(granted.Items);
        return grant;
    }

    private static DailyRewardState DailyReward(Account account, GameConfig.GameConfig config, DateTimeOffset now)
    {
        var daily = config.DailyLogin;
        if (daily.Days.IsEmpty)
        {
            return new DailyRewardState();
        }

        var today = daily.LoginDayOf(now);
        var claimable = account.DailyLogin.LastClaimDay != today;
        return new DailyRewardState
        {
            Claimable = claimable,
            DayIndex = claimable
                ? AccountRules.DailyDayIndex(account.DailyLogin, today, daily.Days.Length)
                : (account.DailyLogin.LastDayIndex + 1) % daily.Days.Length,
            // Claimable: since the start of today's login day (so the snapshot stays the same all day); else the next reset.
            NextClaimableAtUnixMs = AccountRules.NextDailyReset(now, config).AddDays(claimable ? -1 : 0).ToUnixTimeMilliseconds(),
        };
    }
}
