using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.AppStore;

/// <summary>
/// App Store verification settings, section <c>MetaServer:Payments:AppStore</c>. There is no default root: production
/// configures Apple Root CA G3 (from https://www.apple.com/certificateauthority/), tests their own root.
/// </summary>
public sealed class AppStoreOptions
{
    public const string SectionName = "MetaServer:Payments:AppStore";

    /// <summary>The app's bundle id; a transaction of another bundle is WRONG_BUNDLE.</summary>
    public string BundleId { get; set; } = string.Empty;

    /// <summary><c>Production</c> or <c>Sandbox</c>; a transaction of the other environment is WRONG_ENVIRONMENT.</summary>
    public string Environment { get; set; } = string.Empty;

    /// <summary>Path of the root certificate file (PEM or DER). Exactly one of this and <see cref="RootCertificateBase64"/>.</summary>
    public string? RootCertificatePath { get; set; }

    /// <summary>The root certificate as base64 DER. Exactly one of this and <see cref="RootCertificatePath"/>.</summary>
    public string? RootCertificateBase64 { get; set; }

    internal static readonly string[] Environments = ["Production", "Sandbox"];

    /// <summary>Loads the configured root certificate (throws <see cref="CryptographicException"/> or an I/O exception when it can't).</summary>
    public X509Certificate2 LoadRootCertificate()
    {
        if (!string.IsNullOrWhiteSpace(RootCertificatePath))
        {
            var bytes = File.ReadAllBytes(RootCertificatePath);
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
        }

        if (!string.IsNullOrWhiteSpace(RootCertificateBase64))
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(RootCertificateBase64.Trim()));
        }

        throw new InvalidOperationException("no App Store root certificate is configured");
    }
}

/// <summary>Checks <see cref="AppStoreOptions"/> at start-up, including that the root certificate loads.</summary>
internal sealed class AppStoreOptionsValidator : IValidateOptions<AppStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, AppStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BundleId))
        {
            failures.Add($"{AppStoreOptions.SectionName}:BundleId is required");
        }

        if (!AppStoreOptions.Environments.Contains(options.Environment, StringComparer.Ordinal))
        {
            failures.Add($"{AppStoreOptions.SectionName}:Environment must be Production or Sandbox (got '{options.Environment}')");
        }

        var hasPath = !string.IsNullOrWhiteSpace(options.RootCertificatePath);
        var hasBase64 = !string.IsNullOrWhiteSpace(options.RootCertificateBase64);
        if (hasPath == hasBase64)
        {
            failures.Add($"{AppStoreOptions.SectionName}: set exactly one of RootCertificatePath and RootCertificateBase64 (Apple Root CA G3 in production); there is no default root");
        }
        else
        {
            try
            {
                using var root = options.LoadRootCertificate();
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or FormatException)
            {
                failures.Add($"{AppStoreOptions.SectionName}: the root certificate can't be loaded: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
