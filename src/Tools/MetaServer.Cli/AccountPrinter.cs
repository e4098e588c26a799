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

    private static void Line(TextWriter output, string label, string value) =>
        output.WriteLine($"  {label,-12} {value}");
}
