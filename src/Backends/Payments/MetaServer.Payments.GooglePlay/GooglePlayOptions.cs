using Microsoft.Extensions.Options;

namespace MetaServer.Payments.GooglePlay;

/// <summary>Google Play verification settings, section <c>MetaServer:Payments:GooglePlay</c>.</summary>
public sealed class GooglePlayOptions
{
    public const string SectionName = "MetaServer:Payments:GooglePlay";

    public const string DefaultApiBaseUrl = "https://androidpublisher.googleapis.com";

    /// <summary>The app's package name (the Android application id).</summary>
    public string PackageName { get; set; } = string.Empty;

    /// <summary><c>Production</c> or <c>Sandbox</c> (license-tester purchases, <c>purchaseType</c> 0); the other one is WRONG_ENVIRONMENT.</summary>
    public string Environment { get; set; } = string.Empty;

    /// <summary>Path of the service account's JSON key file (needs <c>client_email</c>, <c>private_key</c>, <c>token_uri</c>).</summary>
    public string ServiceAccountKeyPath { get; set; } = string.Empty;

    /// <summary>The Android Publisher API's base URL (tests point it at a loopback server).</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>The OAuth token endpoint; empty means the key file's <c>token_uri</c>. Also the assertion's <c>aud</c>.</summary>
    public string? TokenUrl { get; set; }

    /// <summary>Timeout of one HTTP call to Google.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An access token is replaced this long before it expires.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    internal static readonly string[] Environments = ["Production", "Sandbox"];
}

/// <summary>Checks <see cref="GooglePlayOptions"/> at start-up, including that the key file loads (its content is never logged).</summary>
internal sealed class GooglePlayOptionsValidator : IValidateOptions<GooglePlayOptions>
{
    public ValidateOptionsResult Validate(string? name, GooglePlayOptions options)
    {
        var failures = new List<string>();
        var section = GooglePlayOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.PackageName))
        {
            failures.Add($"{section}:PackageName is required");
        }

        if (!GooglePlayOptions.Environments.Contains(options.Environment, StringComparer.Ordinal))
        {
            failures.Add($"{section}:Environment must be Production or Sandbox (got '{options.Environment}')");
        }

        if (!IsHttpUrl(options.ApiBaseUrl))
        {
            failures.Add($"{section}:ApiBaseUrl must be an absolute http(s) URL");
        }

        if (!string.IsNullOrWhiteSpace(options.TokenUrl) && !IsHttpUrl(options.TokenUrl))
        {
            failures.Add($"{section}:TokenUrl must be an absolute http(s) URL when set");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.TokenRefreshMargin < TimeSpan.Zero || options.TokenRefreshMargin > TimeSpan.FromMinutes(30))
        {
            failures.Add($"{section}: RequestTimeout must be positive and TokenRefreshMargin between 0 and 30 minutes");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceAccountKeyPath))
        {
            failures.Add($"{section}:ServiceAccountKeyPath is required (the service account's JSON key file)");
        }
        else
        {
            try
            {
                using var key = GoogleServiceAccountKey.Load(options.ServiceAccountKeyPath);
                if (string.IsNullOrWhiteSpace(options.TokenUrl) && !IsHttpUrl(key.TokenUri))
                {
                    failures.Add($"{section}: the key file's token_uri is not an absolute http(s) URL and no TokenUrl is set");
                }
            }
            catch (InvalidOperationException e)
            {
                failures.Add($"{section}:ServiceAccountKeyPath: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
