using System.Security.Cryptography;
using System.Text;

namespace MetaServer.Accounts.Domain;

/// <summary>Rules for device ids and the values derived from them.</summary>
public static class DeviceIds
{
    public const int MaxLength = 128;

    /// <summary>Null when <paramref name="deviceId"/> is valid, else a plain message saying why not.</summary>
    public static string? Validate(string? deviceId)
    {
        if (string.IsNullOrEmpty(deviceId))
        {
            return "The device id is empty.";
        }

        if (deviceId.Length > MaxLength)
        {
            return $"The device id is longer than {MaxLength} characters.";
        }

        foreach (var c in deviceId)
        {
            if (c is < ' ' or > '~')
            {
                return "The device id may only contain printable ASCII characters.";
            }
        }

        return null;
    }

    /// <summary>Default nickname of a new account, "Player" and four digits, stable for a device id.</summary>
    public static string DefaultNickname(string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(deviceId), hash);
        var number = BitConverter.ToUInt32(hash) % 10_000;
        return $"Player{number:D4}";
    }
}
