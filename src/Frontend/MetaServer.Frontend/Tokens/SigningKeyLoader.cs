using MetaServer.Hosting;
using Microsoft.Extensions.Logging;

namespace MetaServer.Frontend;

/// <summary>Finds the session token key: the configured one, or a generated one kept in the data folder.</summary>
internal static partial class SigningKeyLoader
{
    private const int GeneratedKeyBytes = 32;

    public static byte[]? TryDecode(string value)
    {
        try
        {
            return Convert.FromBase64String(value.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static SessionTokenKey Load(TokenOptions tokens, MetaServerOptions core, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(core);
        if (!string.IsNullOrWhiteSpace(tokens.SigningKey))
        {
            var configured = TryDecode(tokens.SigningKey)
                ?? throw new InvalidOperationException("MetaServer:Frontend:Tokens:SigningKey is not valid base64.");
            return new SessionTokenKey(configured);
        }

        if (!tokens.AllowGeneratedSigningKey)
        {
            throw new InvalidOperationException("MetaServer:Frontend:Tokens:SigningKey is not set and AllowGeneratedSigningKey is false.");
        }

        var path = Path.Combine(core.DataDirFullPath, TokenOptions.GeneratedKeyFileName);
        if (File.Exists(path))
        {
            LogUsingKeyFile(logger, path);
            return ReadKeyFile(path);
        }

        Directory.CreateDirectory(core.DataDirFullPath);
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(GeneratedKeyBytes);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // Write a private temporary file, then move it into place, so a reader never sees a half-written key.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temporary, fileOptions))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(key));
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process stored its key first; use theirs so both agree.
            File.Delete(temporary);
            return ReadKeyFile(path);
        }

        LogGeneratedKey(logger, path);
        return new SessionTokenKey(key);
    }

    private static SessionTokenKey ReadKeyFile(string path)
    {
        var bytes = TryDecode(File.ReadAllText(path));
        if (bytes is null || bytes.Length < TokenOptions.MinKeyBytes)
        {
            throw new InvalidOperationException($"The session token key file '{path}' is damaged; delete it to generate a new key (existing session tokens become invalid).");
        }

        return new SessionTokenKey(bytes);
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "No session token key configured; generated one and stored it in {Path}. Configure MetaServer:Frontend:Tokens:SigningKey when running more than one frontend.")]
    private static partial void LogGeneratedKey(ILogger logger, string path);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Using the session token key stored in {Path}")]
    private static partial void LogUsingKeyFile(ILogger logger, string path);
}
