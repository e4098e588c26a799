using System.Globalization;
using MetaServer.Accounts.Domain;
using MetaServer.GameConfig;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Economy;

/// <summary>How a grant treats what does not fit (a full wallet, an owned unique item, a full stack or inventory).</summary>
public enum GrantMode
{
    /// <summary>Refuse the whole change (a purchase: the player must not pay for nothing).</summary>
    Strict = 0,

    /// <summary>Grant what fits and drop the rest (rewards: a quest or match must not fail because a wallet is full).</summary>
    Lenient = 1,
}

/// <summary>Applies a configured <see cref="Reward"/> to an account.</summary>
public static class RewardRules
{
    /// <summary>
    /// The account with <paramref name="reward"/> added (currencies capped, unique items once, stacks capped) and
    /// what was actually added on top of <paramref name="grantedSoFar"/>; in <see cref="GrantMode.Strict"/> anything
    /// that does not fit refuses the whole change with FAILED_PRECONDITION.
    /// Ids the config does not define are skipped (a validated config has none).
    /// </summary>
    public static MutationOutcome Apply(Account account, Reward reward, GameConfig.GameConfig config, GrantMode mode, Granted? grantedSoFar = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(config);
        var granted = grantedSoFar ?? Granted.None;
        var wallet = account.Wallet;
        foreach (var amount in reward.Currencies)
        {
            if (config.FindCurrency(amount.CurrencyId) is not { } currency || amount.Amount <= 0)
            {
                continue;
            }

            if (mode == GrantMode.Strict && !WalletRules.Fits(wallet, currency, amount.Amount))
            {
                return MutationOutcome.Refuse(
                    ResultCode.FailedPrecondition,
                    string.Create(CultureInfo.InvariantCulture, $"You can't hold more than {currency.Max} {currency.Id}."));
            }

            wallet = WalletRules.Credit(wallet, currency, amount.Amount, out var credited);
            granted = granted.AddCurrency(currency.Id, credited);
        }

        var inventory = account.Inventory;
        var maxEntries = config.Limits.MaxInventoryStacks;
        foreach (var amount in reward.Items)
        {
            if (config.FindItem(amount.ItemId) is not { } item || amount.Quantity <= 0)
            {
                continue;
            }

            var room = InventoryRules.Room(inventory, item, maxEntries);
            if (mode == GrantMode.Strict && room < amount.Quantity)
            {
                return MutationOutcome.Refuse(ResultCode.FailedPrecondition, NoRoomMessage(inventory, item, maxEntries));
            }

            inventory = InventoryRules.Add(inventory, item, amount.Quantity, maxEntries, out var added);
            granted = granted.AddItem(item.Id, added);
        }

        var xp = Math.Max(0, reward.Xp);
        return MutationOutcome.Apply(
            account with { Wallet = wallet, Inventory = inventory, Xp = SaturatingAdd(account.Xp, xp) },
            granted.AddXp(xp));
    }

    private static string NoRoomMessage(System.Collections.Immutable.ImmutableDictionary<string, int> inventory, ItemDef item, int maxEntries)
    {
        var held = inventory.GetValueOrDefault(item.Id);
        if (item.IsUnique && held > 0)
        {
            return $"You already own {item.Name}.";
        }

        if (held == 0 && inventory.Count >= maxEntries)
        {
            return "Your inventory is full.";
        }

        return string.Create(CultureInfo.InvariantCulture, $"You can hold at most {item.MaxStack} {item.Name}.");
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;
}
