using System.Collections.Immutable;
using System.Text.Json;
using MetaServer.Accounts.Domain;

namespace MetaServer.Accounts.Tests;

/// <summary>Builders for accounts used across the tests.</summary>
internal static class TestAccounts
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string NewId() => Guid.NewGuid().ToString("N");

    public static string NewDeviceId() => "device-" + Guid.NewGuid().ToString("N");

    public static Account New(string deviceId, string? accountId = null, int schemaVersion = Account.CurrentSchemaVersion) => new()
    {
        AccountId = accountId ?? NewId(),
        Revision = 1,
        SchemaVersion = schemaVersion,
        Nickname = DeviceIds.DefaultNickname(deviceId),
        CreatedAt = Epoch,
        LastLoginAt = Epoch,
        DeviceIds = [deviceId],
    };

    /// <summary>A new account created by <paramref name="identity"/> (a device, or another kind).</summary>
    public static Account NewFor(LinkedIdentity identity) => identity.Kind == IdentityKind.Device
        ? New(identity.Id)
        : New("unused") with { DeviceIds = [], Identities = [identity], Nickname = "Player0001" };

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static ImmutableDictionary<string, JsonElement> Extra(params (string Name, string Json)[] fields) =>
        fields.ToImmutableDictionary(f => f.Name, f => Json(f.Json), StringComparer.Ordinal);

    public static int Counter(Account account) =>
        account.ExtraFields.TryGetValue("counter", out var value) ? value.GetInt32() : 0;

    public static Account WithCounter(Account account, int counter) =>
        account with { ExtraFields = account.ExtraFields.SetItem("counter", Json(counter.ToString(System.Globalization.CultureInfo.InvariantCulture))) };
}
