using System.Text.Json;
using MetaServer.Accounts.Domain;

namespace MetaServer.Accounts.Tests;

public sealed class AccountDocumentSerializerTests
{
    [Fact]
    public void Serialize_Account_WritesCamelCaseDocumentWithoutIdAndRevision()
    {
        var account = TestAccounts.New("device-1") with { CreationRequestId = "m-1" };

        using var json = JsonDocument.Parse(AccountDocumentSerializer.Serialize(account));

        var root = json.RootElement;
        Assert.Equal(Account.CurrentSchemaVersion, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(account.Nickname, root.GetProperty("nickname").GetString());
        Assert.Equal("device-1", root.GetProperty("deviceIds")[0].GetString());
        Assert.Equal("m-1", root.GetProperty("creationRequestId").GetString());
        Assert.False(root.TryGetProperty("accountId", out _));
        Assert.False(root.TryGetProperty("revision", out _));
    }

    [Fact]
    public void Deserialize_RoundTrip_KeepsEveryField()
    {
        var account = TestAccounts.New("device-1") with
        {
            LastLoginAt = TestAccounts.Epoch.AddTicks(1234567),
            CreationRequestId = "m-1",
            ExtraFields = TestAccounts.Extra(("x", "[1,\"two\"]")),
        };

        var read = AccountDocumentSerializer.Deserialize(account.AccountId, 42, AccountDocumentSerializer.Serialize(account));

        Assert.Equal(42, read.Revision);
        Assert.Equal(account.AccountId, read.AccountId);
        Assert.Equal(account.Nickname, read.Nickname);
        Assert.Equal(account.CreatedAt, read.CreatedAt);
        Assert.Equal(account.LastLoginAt, read.LastLoginAt);
        Assert.Equal(account.DeviceIds.ToArray(), read.DeviceIds.ToArray());
        Assert.Equal("m-1", read.CreationRequestId);
        Assert.Equal("[1,\"two\"]", read.ExtraFields["x"].GetRawText());
    }

    [Fact]
    public void Deserialize_OldDocumentMissingFields_GivesEmptyValuesAndKeepsUnknownFields()
    {
        var read = AccountFixtures.Read(AccountFixtures.Schema0, "acc-0", 3);

        Assert.Equal(0, read.SchemaVersion);
        Assert.Equal(string.Empty, read.Nickname);
        Assert.Equal("OldTimer", read.ExtraFields["name"].GetString());
        Assert.Null(read.CreationRequestId);
    }

    [Fact]
    public void Deserialize_NotAnObject_ThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => AccountDocumentSerializer.Deserialize("a", 1, "[1,2]"));
    }
}
