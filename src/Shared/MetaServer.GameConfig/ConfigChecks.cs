using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MetaServer.GameConfig;

/// <summary>
/// Cross-reference and consistency checks the schema cannot express: unique ids, references to currencies, items and
/// game modes that exist, loadout items of the right kind and slot, increasing level curve, a valid nickname pattern.
/// Tolerates missing values (the schema reports those).
/// </summary>
internal static class ConfigChecks
{
    public static void Run(GameConfigDocument config, ProblemList problems)
    {
        var context = new Context(config, problems);
        context.CheckIds();
        context.CheckItems();
        context.CheckStarting();
        context.CheckOffers();
        context.CheckRealMoneyOffers();
        context.CheckQuests();
        context.CheckDailyLogin();
        context.CheckMatchRewards();
        context.CheckLevels();
        context.CheckLimits();
    }

    private sealed class Context
    {
        private readonly GameConfigDocument _config;
        private readonly ProblemList _problems;
        private readonly Dictionary<string, CurrencyDef> _currencies = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ItemDef> _items = new(StringComparer.Ordinal);
        private readonly HashSet<string> _gameModes = new(StringComparer.Ordinal);

        public Context(GameConfigDocument config, ProblemList problems)
        {
            _config = config;
            _problems = problems;
            foreach (var currency in Each(config.Currencies))
            {
                if (currency?.Id is { } id)
                {
                    _currencies.TryAdd(id, currency);
                }
            }

            foreach (var item in Each(config.Items))
            {
                if (item?.Id is { } id)
                {
                    _items.TryAdd(id, item);
                }
            }

            foreach (var mode in Each(config.GameModes))
            {
                if (mode?.Id is { } id)
                {
                    _gameModes.Add(id);
                }
            }
        }

        public void CheckIds()
        {
            // Currencies and items share one id space: a reward line names either, so an id must say which.
            var shared = new Dictionary<string, string>(StringComparer.Ordinal);
            CheckUnique(_config.Currencies, "$.currencies", c => c?.Id, "currency", shared);
            CheckUnique(_config.Items, "$.items", i => i?.Id, "item", shared);
            CheckUnique(_config.StoreOffers, "$.storeOffers", o => o?.Id, "store offer", null);
            CheckUnique(_config.RealMoneyOffers, "$.realMoneyOffers", o => o?.Id, "real-money offer", null);
            CheckUnique(_config.Quests, "$.quests", q => q?.Id, "quest", null);
            CheckUnique(_config.GameModes, "$.gameModes", m => m?.Id, "game mode", null);
        }

        public void CheckItems()
        {
            var items = Each(_config.Items);
            for (var i = 0; i < items.Length; i++)
            {
                var item = items[i];
                if (item is null)
                {
                    continue;
                }

                var path = Index("$.items", i);
                switch (item.Kind)
                {
                    case ItemKind.Weapon when item.Slot is null || !WeaponSlots.All.Contains(item.Slot):
                        _problems.Add(
                            item.Slot is null ? path : path + ".slot",
                            $"a weapon needs a slot: one of {Quoted(WeaponSlots.All)}"
                            + (item.Slot is null ? string.Empty : $" (found \"{item.Slot}\")"));
                        break;
                    case ItemKind.Cosmetic when item.Slot is null || !CosmeticSlots.All.Contains(item.Slot):
                        _problems.Add(
                            item.Slot is null ? path : path + ".slot",
                            $"a cosmetic needs a slot: one of {Quoted(CosmeticSlots.All)}"
                            + (item.Slot is null ? string.Empty : $" (found \"{item.Slot}\")"));
                        break;
                    case ItemKind.Hero or ItemKind.Stackable when item.Slot is not null:
                        _problems.Add(path + ".slot", $"only weapons and cosmetics have a slot; remove it from this {KindName(item.Kind)}");
                        break;
                    default:
                        break;
                }

                if (item.IsUnique && item.MaxStack != 1)
                {
                    _problems.Add(path + ".maxStack", $"a {KindName(item.Kind)} is owned at most once, so maxStack must be 1 (found {item.MaxStack})");
                }
            }
        }

        public void CheckStarting()
        {
            var starting = _config.Starting;
            if (starting is null)
            {
                return;
            }

            CheckCurrencyAmounts(starting.Currencies, "$.starting.currencies", "the starting wallet");
            CheckItemAmounts(starting.Items, "$.starting.items");
            var granted = new HashSet<string>(
                Each(starting.Items).Where(a => a?.ItemId is not null).Select(a => a.ItemId),
                StringComparer.Ordinal);
            var loadout = starting.Loadout;
            if (loadout is null)
            {
                return;
            }

            CheckLoadoutSlot(loadout.HeroId, "hero", ItemKind.Hero, null, granted);
            CheckLoadoutSlot(loadout.PrimaryWeaponId, "primary", ItemKind.Weapon, WeaponSlots.Primary, granted);
            CheckLoadoutSlot(loadout.SecondaryWeaponId, "secondary", ItemKind.Weapon, WeaponSlots.Secondary, granted);
            CheckLoadoutSlot(loadout.MeleeWeaponId, "melee", ItemKind.Weapon, WeaponSlots.Melee, granted);
            CheckLoadoutSlot(loadout.AvatarId, "avatar", ItemKind.Cosmetic, CosmeticSlots.Avatar, granted);
        }

        public void CheckOffers()
        {
            var offers = Each(_config.StoreOffers);
            for (var i = 0; i < offers.Length; i++)
            {
                var offer = offers[i];
                if (offer is null)
                {
                    continue;
                }

                var path = Index("$.storeOffers", i);
                if (offer.Grants is { } grants)
                {
                    if (grants.IsEmpty)
                    {
                        _problems.Add(path + ".grants", "the offer grants nothing: add items or currencies");
                    }

                    CheckReward(grants, path + ".grants");
                }

                if (offer.Price is { } price)
                {
                    CheckCurrencyReference(price.CurrencyId, path + ".price.currency", "the price");
                    if (price.Amount <= 0)
                    {
                        _problems.Add(path + ".price.amount", $"the price must be at least 1 (found {Number(price.Amount)})");
                    }
                }
            }
        }

        public void CheckRealMoneyOffers()
        {
            var offers = Each(_config.RealMoneyOffers);
            var appStore = new Dictionary<string, string>(StringComparer.Ordinal);
            var googlePlay = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < offers.Length; i++)
            {
                var offer = offers[i];
                if (offer is null)
                {
                    continue;
                }

                var path = Index("$.realMoneyOffers", i);
                if (offer.AppStoreProductId is null && offer.GooglePlayProductId is null)
                {
                    _problems.Add(path, "a real-money offer needs a product id: appStoreProductId, googlePlayProductId or both");
                }

                CheckProductId(offer.AppStoreProductId, appStore, path + ".appStoreProductId", "App Store");
                CheckProductId(offer.GooglePlayProductId, googlePlay, path + ".googlePlayProductId", "Google Play");
                if (offer.Grants is { } grants)
                {
                    if (grants.IsEmpty)
                    {
                        _problems.Add(path + ".grants", "the offer grants nothing: add items or currencies");
                    }

                    CheckReward(grants, path + ".grants");
                }
            }
        }

        public void CheckQuests()
        {
            var quests = Each(_config.Quests);
            for (var i = 0; i < quests.Length; i++)
            {
                var quest = quests[i];
                if (quest is null)
                {
                    continue;
                }

                var path = Index("$.quests", i);
                if (quest.Goal is { } goal)
                {
                    if (goal.Target <= 0)
                    {
                        _problems.Add(path + ".goal.target", $"the quest target must be at least 1 (found {Number(goal.Target)})");
                    }

                    if (goal.GameMode is not null)
                    {
                        CheckGameModeReference(goal.GameMode, path + ".goal.gameMode");
                    }
                }

                if (quest.Reward is { } reward)
                {
                    CheckReward(reward, path + ".reward");
                }
            }
        }

        public void CheckDailyLogin()
        {
            var days = Each(_config.DailyLogin?.Days ?? default);
            for (var i = 0; i < days.Length; i++)
            {
                if (days[i] is { } reward)
                {
                    CheckReward(reward, Index("$.dailyLogin.days", i));
                }
            }
        }

        public void CheckMatchRewards()
        {
            var rewards = Each(_config.MatchRewards);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < rewards.Length; i++)
            {
                var entry = rewards[i];
                if (entry is null)
                {
                    continue;
                }

                var path = Index("$.matchRewards", i);
                if (entry.GameMode is { } mode)
                {
                    CheckGameModeReference(mode, path + ".gameMode");
                    if (!seen.TryAdd(mode, i))
                    {
                        _problems.Add(path + ".gameMode", $"the game mode \"{mode}\" already has match rewards at $.matchRewards[{seen[mode]}]");
                    }
                }

                CheckRewardIfPresent(entry.Win, path + ".win");
                CheckRewardIfPresent(entry.Loss, path + ".loss");
                CheckRewardIfPresent(entry.Draw, path + ".draw");
            }
        }

        public void CheckLevels()
        {
            var thresholds = Each(_config.Levels?.XpToReachLevel ?? default);
            for (var i = 0; i < thresholds.Length; i++)
            {
                var previous = i == 0 ? 0 : thresholds[i - 1];
                if (thresholds[i] <= previous)
                {
                    var level = i + 2;
                    _problems.Add(
                        Index("$.levels.xpToReachLevel", i),
                        i == 0
                            ? $"the XP to reach level 2 must be more than 0 (found {Number(thresholds[i])})"
                            : $"the XP to reach level {level} ({Number(thresholds[i])}) must be more than the XP to reach level {level - 1} ({Number(previous)})");
                }
            }
        }

        public void CheckLimits()
        {
            var limits = _config.Limits;
            if (limits is null)
            {
                return;
            }

            if (limits.NicknameMinLength > limits.NicknameMaxLength)
            {
                _problems.Add(
                    "$.limits.nicknameMinLength",
                    $"the shortest nickname ({limits.NicknameMinLength}) is longer than the longest nickname ({limits.NicknameMaxLength})");
            }

            if (limits.NicknameAllowedPattern is { } pattern)
            {
                try
                {
                    _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    _problems.Add("$.limits.nicknameAllowedPattern", $"the nickname pattern is not a valid .NET regular expression: {e.Message}");
                }
            }

            var denied = Each(limits.NicknameDenyList);
            for (var i = 0; i < denied.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(denied[i]))
                {
                    _problems.Add(Index("$.limits.nicknameDenyList", i), "a deny-list entry must not be empty (it would deny every nickname)");
                }
            }
        }

        private void CheckProductId(string? productId, Dictionary<string, string> seen, string path, string store)
        {
            if (productId is null)
            {
                return;
            }

            if (seen.TryGetValue(productId, out var first))
            {
                _problems.Add(path, $"the {store} product id \"{productId}\" is already sold by the offer at {first}; one product grants one offer");
            }
            else
            {
                seen[productId] = path[..path.LastIndexOf('.')];
            }
        }

        private void CheckUnique<T>(ImmutableArray<T> entries, string arrayPath, Func<T, string?> id, string noun, Dictionary<string, string>? shared)
        {
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            var list = Each(entries);
            for (var i = 0; i < list.Length; i++)
            {
                if (id(list[i]) is not { } value)
                {
                    continue;
                }

                var path = Index(arrayPath, i);
                if (seen.TryGetValue(value, out var first))
                {
                    _problems.Add(path + ".id", $"duplicate {noun} id \"{value}\" (first used at {first})");
                    continue;
                }

                seen[value] = path;
                if (shared is not null)
                {
                    if (shared.TryGetValue(value, out var other))
                    {
                        _problems.Add(path + ".id", $"the id \"{value}\" is already used at {other}; currencies and items need different ids");
                    }
                    else
                    {
                        shared[value] = path;
                    }
                }
            }
        }

        private void CheckLoadoutSlot(string? itemId, string slotName, ItemKind kind, string? slot, HashSet<string> granted)
        {
            if (itemId is null)
            {
                return;
            }

            var path = "$.starting.loadout." + slotName;
            if (!_items.TryGetValue(itemId, out var item))
            {
                _problems.Add(path, $"unknown item \"{itemId}\"");
                return;
            }

            var wanted = slot is null ? $"a {KindName(kind)}" : $"a {KindName(kind)} with slot \"{slot}\"";
            if (item.Kind != kind || (slot is not null && !string.Equals(item.Slot, slot, StringComparison.Ordinal)))
            {
                var actual = item.Slot is null ? $"a {KindName(item.Kind)}" : $"a {KindName(item.Kind)} with slot \"{item.Slot}\"";
                _problems.Add(path, $"the {slotName} slot needs {wanted}, but \"{itemId}\" is {actual}");
            }

            if (!granted.Contains(itemId))
            {
                _problems.Add(path, $"\"{itemId}\" is equipped but not in the starting items ($.starting.items)");
            }
        }

        private void CheckRewardIfPresent(Reward? reward, string path)
        {
            if (reward is not null)
            {
                CheckReward(reward, path);
            }
        }

        private void CheckReward(Reward reward, string path)
        {
            CheckCurrencyAmounts(reward.Currencies, path + ".currencies", "the reward");
            CheckItemAmounts(reward.Items, path + ".items");
            if (reward.Xp < 0)
            {
                _problems.Add(path + ".xp", $"XP must not be negative (found {Number(reward.Xp)})");
            }
        }

        private void CheckCurrencyAmounts(ImmutableArray<CurrencyAmount> amounts, string arrayPath, string subject)
        {
            var list = Each(amounts);
            for (var i = 0; i < list.Length; i++)
            {
                if (list[i] is not { } amount)
                {
                    continue;
                }

                var path = Index(arrayPath, i);
                var currency = CheckCurrencyReference(amount.CurrencyId, path + ".currency", subject);
                if (amount.Amount <= 0)
                {
                    _problems.Add(path + ".amount", $"the amount must be at least 1 (found {Number(amount.Amount)})");
                }
                else if (currency is { Max: > 0 } && amount.Amount > currency.Max)
                {
                    _problems.Add(path + ".amount", $"the amount {Number(amount.Amount)} is more than the most a wallet can hold of \"{currency.Id}\" ({Number(currency.Max)})");
                }
            }
        }

        private void CheckItemAmounts(ImmutableArray<ItemAmount> amounts, string arrayPath)
        {
            var list = Each(amounts);
            for (var i = 0; i < list.Length; i++)
            {
                if (list[i] is not { } amount || amount.ItemId is null)
                {
                    continue;
                }

                var path = Index(arrayPath, i);
                if (!_items.TryGetValue(amount.ItemId, out var item))
                {
                    _problems.Add(path + ".item", UnknownItemMessage(amount.ItemId));
                    continue;
                }

                if (amount.Quantity <= 0)
                {
                    _problems.Add(path + ".quantity", $"the quantity must be at least 1 (found {amount.Quantity})");
                }
                else if (item.IsUnique && amount.Quantity != 1)
                {
                    _problems.Add(path + ".quantity", $"\"{item.Id}\" is a {KindName(item.Kind)}, owned at most once, so the quantity must be 1 (found {amount.Quantity})");
                }
                else if (amount.Quantity > item.MaxStack)
                {
                    _problems.Add(path + ".quantity", $"the quantity {amount.Quantity} is more than the most a player can hold of \"{item.Id}\" (maxStack {item.MaxStack})");
                }
            }
        }

        private CurrencyDef? CheckCurrencyReference(string? currencyId, string path, string subject)
        {
            if (currencyId is null)
            {
                return null;
            }

            if (_currencies.TryGetValue(currencyId, out var currency))
            {
                return currency;
            }

            var hint = _items.ContainsKey(currencyId) ? $" (\"{currencyId}\" is an item, not a currency)" : $"; known currencies: {Quoted(_currencies.Keys)}";
            _problems.Add(path, $"{subject} uses an unknown currency \"{currencyId}\"{hint}");
            return null;
        }

        private void CheckGameModeReference(string gameMode, string path)
        {
            if (!_gameModes.Contains(gameMode))
            {
                _problems.Add(path, $"unknown game mode \"{gameMode}\"; known game modes: {Quoted(_gameModes)}");
            }
        }

        private string UnknownItemMessage(string itemId) =>
            _currencies.ContainsKey(itemId)
                ? $"unknown item \"{itemId}\" (\"{itemId}\" is a currency: list it under \"currencies\" instead)"
                : $"unknown item \"{itemId}\"";

        private static ImmutableArray<T> Each<T>(ImmutableArray<T> array) => array.IsDefault ? [] : array;

        private static string Index(string path, int index) => JsonPaths.Index(path, index);

        private static string KindName(ItemKind kind) => kind.ToString().ToLowerInvariant();

        private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Quoted(IEnumerable<string> values) =>
            string.Join(", ", values.Order(StringComparer.Ordinal).Select(v => $"\"{v}\""));
    }
}
