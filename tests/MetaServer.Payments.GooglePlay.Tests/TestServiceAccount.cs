using System.Security.Cryptography;
using System.Text.Json;

namespace MetaServer.Payments.GooglePlay.Tests;

/// <summary>Writes a service-account JSON key file shaped like Google's, with a test RSA key.</summary>
public static class TestServiceAccount
{
    public static string WriteKeyFile(string directory, RSA key, string tokenUri, string fileName = "service-account.json")
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "metaserver-test",
            ["private_key_id"] = "test-key-1",
            ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = FakeGooglePlay.ClientEmail,
            ["client_id"] = "1234567890",
            ["token_uri"] = tokenUri,
        }));
        return path;
    }
}
