using System.Collections.Immutable;
using MetaServer.Accounts.Domain;
using MetaServer.GameConfig;

namespace MetaServer.Accounts.Economy;

/// <summary>How a clawback treats currency the player already spent.</summary>
public enum ClawbackMode
{
    /// <summary>The balance goes below zero by what was spent; the account is not flagged for currency.</summary>
    AllowNegativeBalance = 1,

    /// <summary>The balance is floored at zero, the missing amount recorded in <see cref="Account.PaymentShortfall"/> and the account flagged.</summary>
    FlagAccount = 2,
}

/// <summary>Real-money purchases: grant once, claw back once (see docs/payments.md).</summary>
public static class PurchaseRules
{
    /// <summary>
    /// Adds <paramref name="reward"/> (strictly: a grant that does not fit — a wallet past its max, an owned unique
    /// item, a full inventory — is refused with FAILED_PRECONDITION and changes nothing) and records the purchase under
    /// <paramref name="purchaseKey"/>. The caller checks <see cref="Account.Purchases"/> first (grant once).
    /// </summary>
    public static MutationOutcome Grant(Account account, string purchaseKey, string offerId, Reward reward, GameConfig.GameConfig config, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrEmpty(purchaseKey);
        if (account.Purchases.ContainsKey(purchaseKey))
        {
            throw new InvalidOperationException("The purchase is already recorded in the account.");
        }

        var outcome = RewardRules.Apply(account, reward, config, GrantMode.Strict);
        if (outcome is not MutationOutcome.Applied applied)
        {
            return outcome;
        }

        var record = new AccountPurchase(offerId, AccountPurchaseState.Granted, applied.Granted, now, Granted.None, EmptyShortfall, null);
        return MutationOutcome.Apply(applied.Account with { Purchases = applied.Account.Purchases.SetItem(purchaseKey, record) }, applied.Granted);
    }

    /// <summary>
    /// Takes back what the purchase under <paramref name="purchaseKey"/> granted and marks it revoked. Currencies: the
    /// granted amount is debited; what was already spent follows <paramref name="mode"/>. Items: the granted quantity is
    /// removed as far as still held (the rest is a shortfall under either mode), and a removed equipped item is
    /// replaced by the config's starting item of its slot. XP is not taken back. Any shortfall flags the account and adds
    /// to <see cref="Account.PaymentShortfall"/>. A purchase the account never got is recorded as revoked with nothing
    /// taken, so a grant arriving later is refused. The returned grant is what was taken back.
    /// The caller checks that the purchase is not already revoked (claw back once).
    /// </summary>
    public static MutationOutcome Revoke(Account account, string purchaseKey, ClawbackMode mode, GameConfig.GameConfig config, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(purchaseKey);
        var existing = account.Purchases.GetValueOrDefault(purchaseKey);
        if (existing is { State: AccountPurchaseState.Revoked })
        {
            throw new InvalidOperationException("The purchase is already revoked.");
        }

        if (existing is null)
        {
            var never = new AccountPurchase(string.Empty, AccountPurchaseState.Revoked, Granted.None, now, Granted.None, EmptyShortfall, now);
            return MutationOutcome.Apply(account with { Purchases = account.Purchases.SetItem(purchaseKey, never) }, Granted.None);
        }

        var wallet = account.Wallet;
        var inventory = account.Inventory;
        var taken = Granted.None;
        var shortfall = EmptyShortfall;
        foreach (var (currencyId, amount) in existing.Granted.Currencies.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var balance = wallet.GetValueOrDefault(currencyId);
            long take;
            if (balance >= amount || mode == ClawbackMode.AllowNegativeBalance)
            {
                take = amount;
            }
            else
            {
                take = Math.Max(0, balance);
                shortfall = shortfall.SetItem(currencyId, amount - take);
            }

            wallet = wallet.SetItem(currencyId, balance - take);
            taken = taken.AddCurrency(currencyId, take);
        }

        foreach (var (itemId, quantity) in existing.Granted.Items.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            var held = inventory.GetValueOrDefault(itemId);
            var take = Math.Min(held, quantity);
            inventory = held - take > 0 ? inventory.SetItem(itemId, held - take) : inventory.Remove(itemId);
            taken = taken.AddItem(itemId, take);
            if (take < quantity)
            {
                shortfall = shortfall.SetItem(itemId, quantity - take);
            }
        }

        var paymentShortfall = account.PaymentShortfall;
        foreach (var (id, missing) in shortfall)
        {
            paymentShortfall = paymentShortfall.SetItem(id, paymentShortfall.GetValueOrDefault(id) + missing);
        }

        var revoked = existing with { State = AccountPurchaseState.Revoked, Revoked = taken, Shortfall = shortfall, RevokedAt = now };
        return MutationOutcome.Apply(
            account with
            {
                Wallet = wallet,
                Inventory = inventory,
                Loadout = UnequipMissing(account.Loadout, inventory, config),
                Purchases = account.Purchases.SetItem(purchaseKey, revoked),
                PaymentFlagged = account.PaymentFlagged || !shortfall.IsEmpty,
                PaymentShortfall = paymentShortfall,
            },
            taken);
    }

    private static ImmutableDictionary<string, long> EmptyShortfall { get; } = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    private static AccountLoadout? UnequipMissing(AccountLoadout? loadout, ImmutableDictionary<string, int> inventory, GameConfig.GameConfig config)
    {
        if (loadout is null)
        {
            return null;
        }

        var starting = config.Starting.Loadout;
        string Keep(string equipped, string fallback) =>
            equipped.Length == 0 || InventoryRules.Owns(inventory, equipped) ? equipped : fallback;
        return new AccountLoadout(
            Keep(loadout.Hero, starting.HeroId),
            Keep(loadout.Primary, starting.PrimaryWeaponId),
            Keep(loadout.Secondary, starting.SecondaryWeaponId),
            Keep(loadout.Melee, starting.MeleeWeaponId),
            Keep(loadout.Avatar, starting.AvatarId));
    }
}
