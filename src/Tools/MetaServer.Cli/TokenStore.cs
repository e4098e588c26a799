using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetaServer.Cli;

/// <summary>A saved session token for one server URL.</summary>
internal sealed record SavedSession(string Token, long ExpiresAtUnixMs, string AccountId);

/// <summary>
/// Session tokens on disk, keyed by server URL, in a JSON file readable only by the user (mode 0600 on Unix).
/// The default file is <c>~/.metaserver/session.json</c>.
/// </summary>
internal sealed class TokenStore(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public static string DefaultPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".metaserver", "session.json");

    public async Task<SavedSession?> GetAsync(string url, CancellationToken cancellationToken)
    {
        var file = await ReadAsync(cancellationToken);
        return file.Sessions.TryGetValue(url, out var session) ? session : null;
    }

    public async Task SaveAsync(string url, SavedSession session, CancellationToken cancellationToken)
    {
        var file = await ReadAsync(cancellationToken);
        file.Sessions[url] = session;
        await WriteAsync(file, cancellationToken);
    }

    public async Task<bool> RemoveAsync(string url, CancellationToken cancellationToken)
    {
        var file = await ReadAsync(cancellationToken);
        if (!file.Sessions.Remove(url))
        {
            return false;
        }

        await WriteAsync(file, cancellationToken);
        return true;
    }

    private async Task<TokenFile> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return new TokenFile();
        }

        await using var stream = File.OpenRead(Path);
        try
        {
            var file = await JsonSerializer.DeserializeAsync(stream, TokenFileJsonContext.Default.TokenFile, cancellationToken);
            return file ?? new TokenFile();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The token file {Path} is not valid JSON; delete it and log in again.", ex);
        }
    }

    private async Task WriteAsync(TokenFile file, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        // Write a private temporary file next to the target, then move it over: never a half-written token file.
        var temporary = Path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            await using (var stream = new FileStream(temporary, options))
            {
                await JsonSerializer.SerializeAsync(stream, file, TokenFileJsonContext.Default.TokenFile, cancellationToken);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

internal sealed class TokenFile
{
    public Dictionary<string, SavedSession> Sessions { get; set; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TokenFile))]
internal sealed partial class TokenFileJsonContext : JsonSerializerContext;
