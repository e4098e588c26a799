using System.Collections.Immutable;
using MetaServer.GameConfig;

namespace MetaServer.Accounts.Economy;

/// <summary>Inventory rules: unique items (heroes, weapons, cosmetics) are owned at most once, stackables up to their max stack.</summary>
public static class InventoryRules
{
    /// <summary>True when the inventory holds at least one of <paramref name="itemId"/>.</summary>
    public static bool Owns(ImmutableDictionary<string, int> inventory, string itemId)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        return inventory.GetValueOrDefault(itemId) > 0;
    }

    /// <summary>How many of <paramref name="item"/> can still be added: 0 or 1 for unique items, up to the max stack otherwise, 0 when a new entry would exceed <paramref name="maxEntries"/>.</summary>
    public static int Room(ImmutableDictionary<string, int> inventory, ItemDef item, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(item);
        var held = inventory.GetValueOrDefault(item.Id);
        if (held == 0 && inventory.Count >= maxEntries)
        {
            return 0;
        }

        var max = item.IsUnique ? 1 : Math.Max(1, item.MaxStack);
        return Math.Max(0, max - held);
    }

    /// <summary>Adds up to <paramref name="quantity"/>, capped by <see cref="Room"/>; <paramref name="added"/> is what was actually added.</summary>
    public static ImmutableDictionary<string, int> Add(ImmutableDictionary<string, int> inventory, ItemDef item, int quantity, int maxEntries, out int added)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quantity);
        added = Math.Min(quantity, Room(inventory, item, maxEntries));
        return added == 0 ? inventory : inventory.SetItem(item.Id, inventory.GetValueOrDefault(item.Id) + added);
    }
}
