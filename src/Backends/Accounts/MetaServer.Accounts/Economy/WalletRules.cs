using System.Collections.Immutable;
using MetaServer.GameConfig;

namespace MetaServer.Accounts.Economy;

/// <summary>Wallet arithmetic: balances never go negative and never exceed the currency's max.</summary>
public static class WalletRules
{
    /// <summary>The balance of <paramref name="currencyId"/> (0 when the wallet has none).</summary>
    public static long Balance(ImmutableDictionary<string, long> wallet, string currencyId)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        return wallet.GetValueOrDefault(currencyId);
    }

    /// <summary>
    /// Adds up to <paramref name="amount"/> of <paramref name="currency"/>, capped at its max;
    /// <paramref name="credited"/> is what was actually added (0 when the balance is already at the max).
    /// </summary>
    public static ImmutableDictionary<string, long> Credit(ImmutableDictionary<string, long> wallet, CurrencyDef currency, long amount, out long credited)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var balance = wallet.GetValueOrDefault(currency.Id);
        var room = Math.Max(0, currency.Max - balance);
        credited = Math.Min(room, amount);
        return credited == 0 ? wallet : wallet.SetItem(currency.Id, balance + credited);
    }

    /// <summary>True when <paramref name="amount"/> more fits under the currency's max.</summary>
    public static bool Fits(ImmutableDictionary<string, long> wallet, CurrencyDef currency, long amount)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(currency);
        return amount <= Math.Max(0, currency.Max - wallet.GetValueOrDefault(currency.Id));
    }

    /// <summary>
    /// Takes <paramref name="amount"/> of <paramref name="currencyId"/> when the balance covers it. Otherwise returns
    /// false, leaves the wallet as it is and says how much is missing in <paramref name="shortfall"/>.
    /// </summary>
    public static bool TryDebit(
        ImmutableDictionary<string, long> wallet,
        string currencyId,
        long amount,
        out ImmutableDictionary<string, long> debited,
        out long shortfall)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(currencyId);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var balance = wallet.GetValueOrDefault(currencyId);
        if (balance < amount)
        {
            debited = wallet;
            shortfall = amount - balance;
            return false;
        }

        debited = amount == 0 ? wallet : wallet.SetItem(currencyId, balance - amount);
        shortfall = 0;
        return true;
    }
}
