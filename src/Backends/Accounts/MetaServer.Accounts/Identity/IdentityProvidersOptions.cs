using System.Net;
using MetaServer.Accounts.Domain;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Identity;

/// <summary>Sign in with Apple / Google. Bound from <c>MetaServer:Accounts:Providers</c>.</summary>
public sealed class IdentityProvidersOptions
{
    public const string SectionName = "MetaServer:Accounts:Providers";

    /// <summary><c>MetaServer:Accounts:Providers:Apple</c>.</summary>
    public IdentityProviderOptions Apple { get; set; } = new();

    /// <summary><c>MetaServer:Accounts:Providers:Google</c>.</summary>
    public IdentityProviderOptions Google { get; set; } = new();

    /// <summary>Tolerated clock difference with the provider for <c>exp</c>, <c>nbf</c> and <c>iat</c>. 0 to 10 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Deadline of one JWKS download.</summary>
    public TimeSpan JwksFetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IdentityProviderOptions For(IdentityKind provider) => provider switch
    {
        IdentityKind.Apple => Apple,
        IdentityKind.Google => Google,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a sign-in provider."),
    };
}

/// <summary>One sign-in provider.</summary>
public sealed class IdentityProviderOptions
{
    /// <summary>Off by default: a login with a disabled provider is refused with INVALID_ARGUMENT.</summary>
    public bool Enabled { get; set; }

    /// <summary>Accepted <c>aud</c> values: Apple bundle ids / services ids, Google OAuth client ids. Required when enabled.</summary>
    public string[] Audiences { get; set; } = [];

    /// <summary>Where the provider publishes its signing keys (HTTPS; plain HTTP only to a loopback address). Provider default when empty.</summary>
    public string? JwksUri { get; set; }

    /// <summary>A local JWKS file used instead of <see cref="JwksUri"/> (offline tests, pinned keys). Re-read at every refresh.</summary>
    public string? JwksFile { get; set; }

    /// <summary>Accepted <c>iss</c> values; the provider's issuers when empty.</summary>
    public string[] Issuers { get; set; } = [];

    /// <summary>How long fetched keys are used before they are fetched again.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Least time between two fetches caused by tokens with an unknown <c>kid</c> (or after a failed fetch).</summary>
    public TimeSpan JwksMinRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The built-in facts of each provider.</summary>
public static class IdentityProviderDefaults
{
    public const string AppleJwksUri = "https://appleid.apple.com/auth/keys";
    public const string GoogleJwksUri = "https://www.googleapis.com/oauth2/v3/certs";

    public static IReadOnlyList<string> Issuers(IdentityKind provider) => provider switch
    {
        IdentityKind.Apple => ["https://appleid.apple.com"],
        IdentityKind.Google => ["https://accounts.google.com", "accounts.google.com"],
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a sign-in provider."),
    };

    public static string JwksUri(IdentityKind provider) => provider switch
    {
        IdentityKind.Apple => AppleJwksUri,
        IdentityKind.Google => GoogleJwksUri,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Not a sign-in provider."),
    };

    /// <summary>"Sign in with Apple", "Google Sign-In".</summary>
    public static string DisplayName(IdentityKind provider) => provider == IdentityKind.Apple ? "Sign in with Apple" : "Google Sign-In";

    public static IReadOnlyList<string> EffectiveIssuers(IdentityProviderOptions options, IdentityKind provider) =>
        options.Issuers is { Length: > 0 } configured ? configured : Issuers(provider);

    public static string EffectiveJwksUri(IdentityProviderOptions options, IdentityKind provider) =>
        string.IsNullOrWhiteSpace(options.JwksUri) ? JwksUri(provider) : options.JwksUri;
}

/// <summary>Checks <see cref="IdentityProvidersOptions"/> at start: an enabled provider needs audiences and a key source.</summary>
public sealed class IdentityProvidersOptionsValidator : IValidateOptions<IdentityProvidersOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityProvidersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{IdentityProvidersOptions.SectionName}:ClockSkew must be between 0 and 10 minutes.");
        }

        if (options.JwksFetchTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{IdentityProvidersOptions.SectionName}:JwksFetchTimeout must be positive.");
        }

        foreach (var kind in new[] { IdentityKind.Apple, IdentityKind.Google })
        {
            var section = $"{IdentityProvidersOptions.SectionName}:{kind}";
            var provider = options.For(kind);
            if (provider is null)
            {
                failures.Add($"{section} is missing.");
                continue;
            }

            if (!provider.Enabled)
            {
                continue;
            }

            if (provider.Audiences is not { Length: > 0 } || provider.Audiences.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{section}:Audiences must list the app's client ids (bundle ids) when the provider is enabled.");
            }

            if (provider.Issuers.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{section}:Issuers must not contain empty values.");
            }

            if (provider.JwksRefreshInterval <= TimeSpan.Zero || provider.JwksMinRefreshInterval < TimeSpan.Zero)
            {
                failures.Add($"{section}:JwksRefreshInterval must be positive and JwksMinRefreshInterval not negative.");
            }

            if (!string.IsNullOrWhiteSpace(provider.JwksFile))
            {
                continue;
            }

            var uri = IdentityProviderDefaults.EffectiveJwksUri(provider, kind);
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                || !(parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && IsLoopback(parsed))))
            {
                failures.Add($"{section}:JwksUri must be an absolute https URI (plain http only to a loopback address), or set {section}:JwksFile.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
