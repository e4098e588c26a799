using MetaServer.Accounts.Domain;

namespace MetaServer.Accounts.Tests;

public sealed class DeviceIdsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("my-phone 2 (iOS) ~!@#$%^&*")]
    public void Validate_PrintableAscii_ReturnsNull(string deviceId)
    {
        Assert.Null(DeviceIds.Validate(deviceId));
    }

    [Fact]
    public void Validate_MaxLength_ReturnsNull()
    {
        Assert.Null(DeviceIds.Validate(new string('x', DeviceIds.MaxLength)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("caf\u00e9")]
    [InlineData("nul\0")]
    [InlineData("del\u007f")]
    public void Validate_EmptyOrNotPrintableAscii_ReturnsMessage(string? deviceId)
    {
        Assert.NotNull(DeviceIds.Validate(deviceId));
    }

    [Fact]
    public void Validate_TooLong_ReturnsMessage()
    {
        Assert.Contains("128", DeviceIds.Validate(new string('x', DeviceIds.MaxLength + 1)), StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultNickname_SameDevice_IsStablePlayerAndFourDigits()
    {
        var nickname = DeviceIds.DefaultNickname("my-phone");

        Assert.Matches("^Player[0-9]{4}$", nickname);
        Assert.Equal(nickname, DeviceIds.DefaultNickname("my-phone"));
    }
}
