using System.Security.Cryptography;
using System.Text.Json;

namespace MetaServer.Payments.GooglePlay;

/// <summary>A Google service account's JSON key: <c>client_email</c>, the RSA <c>private_key</c> (PEM) and <c>token_uri</c>.</summary>
public sealed class GoogleServiceAccountKey : IDisposable
{
    private GoogleServiceAccountKey(string clientEmail, string? keyId, RSA privateKey, string tokenUri)
    {
        ClientEmail = clientEmail;
        KeyId = keyId;
        PrivateKey = privateKey;
        TokenUri = tokenUri;
    }

    public string ClientEmail { get; }

    /// <summary><c>private_key_id</c>, sent as the assertion's <c>kid</c> when present.</summary>
    public string? KeyId { get; }

    public RSA PrivateKey { get; }

    public string TokenUri { get; }

    /// <summary>Reads the key file; throws <see cref="InvalidOperationException"/> with a message that never contains the key.</summary>
    public static GoogleServiceAccountKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidOperationException($"the key file can't be read ({e.GetType().Name})");
        }

        return Parse(text);
    }

    /// <summary>Parses the key file's JSON.</summary>
    public static GoogleServiceAccountKey Parse(string json)
    {
        string? email, keyId, pem, tokenUri;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("the key file is not a JSON object");
            }

            email = GetString(root, "client_email");
            keyId = GetString(root, "private_key_id");
            pem = GetString(root, "private_key");
            tokenUri = GetString(root, "token_uri");
        }
        catch (JsonException)
        {
            throw new InvalidOperationException("the key file is not JSON");
        }

        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(pem) || string.IsNullOrWhiteSpace(tokenUri))
        {
            throw new InvalidOperationException("the key file needs client_email, private_key and token_uri");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidOperationException("the key file's private_key is not an RSA private key in PEM");
        }

        return new GoogleServiceAccountKey(email, keyId, rsa, tokenUri);
    }

    public void Dispose() => PrivateKey.Dispose();

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
