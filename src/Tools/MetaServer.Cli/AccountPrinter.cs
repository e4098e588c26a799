using System.Globalization;
using MetaServer.Protocol.V1;

namespace MetaServer.Cli;

internal static class AccountPrinter
{
    public static void Print(TextWriter output, AccountSnapshot account, bool? created = null, long? tokenExpiresAtUnixMs = null)
    {
        Line(output, "Account id", account.AccountId);
        Line(output, "Nickname", string.IsNullOrEmpty(account.Nickname) ? "(none)" : account.Nickname);
        Line(output, "Created at", FormatTime(account.CreatedAtUnixMs));
        Line(output, "Last login", FormatTime(account.LastLoginAtUnixMs));
        Line(output, "Revision", account.Revision.ToString(CultureInfo.InvariantCulture));
        Line(output, "Devices", account.DeviceIds.Count == 0 ? "(none)" : string.Join(", ", account.DeviceIds));
        if (account.Identities.Count > 0)
        {
            Line(output, "Identities", Join(account.Identities.Select(i => $"{i.Kind.ToString().ToLowerInvariant()}:{i.Id}")));
        }

        if (!string.IsNullOrEmpty(account.ConfigHash))
        {
            Line(output, "Config", $"{account.ConfigVersion} ({account.ConfigHash})");
            Line(output, "Level", account.NextLevelXp > 0
                ? $"{account.Level} ({account.Xp}/{account.NextLevelXp} XP)"
                : $"{account.Level} ({account.Xp} XP, highest level)");
            Line(output, "Wallet", Join(account.Wallet.Select(p => $"{p.Value} {p.Key}")));
            Line(output, "Inventory", Join(account.Inventory.Select(p => p.Value == 1 ? p.Key : $"{p.Value} x {p.Key}")));
            if (account.Loadout is { } loadout)
            {
                Line(output, "Loadout", Join(new[] { loadout.Hero, loadout.Primary, loadout.Secondary, loadout.Melee, loadout.Avatar }.Where(s => s.Length > 0)));
            }

            Line(output, "Quests", Join(account.Quests.Select(q => $"{q.QuestId} {q.Progress}/{q.Target}{(q.Claimed ? " claimed" : q.Completed ? " ready to claim" : string.Empty)}")));
            if (account.DailyReward is { } daily)
            {
                Line(output, "Daily reward", daily.Claimable
                    ? $"day {daily.DayIndex + 1} claimable now"
                    : $"day {daily.DayIndex + 1} from {FormatTime(daily.NextClaimableAtUnixMs)}");
            }

            if (account.PaymentFlagged)
            {
                Line(output, "Payment flag", "refund shortfall " + Join(account.PaymentShortfall.Select(p => $"{p.Value} {p.Key}")));
            }
        }
        if (created is { } isNew)
        {
            Line(output, "New account", isNew ? "yes (created by this login)" : "no");
        }

        if (tokenExpiresAtUnixMs is { } expires)
        {
            Line(output, "Token until", FormatTime(expires));
        }
    }

    public static string FormatTime(long unixMs) =>
        unixMs <= 0
            ? "-"
            : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);

    private static string Join(IEnumerable<string> values)
    {
        var list = values.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }

    private static void Line(TextWriter output, string label, string value) =>
        output.WriteLine($"  {label,-12} {value}");
}
