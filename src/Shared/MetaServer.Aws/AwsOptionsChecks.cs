namespace MetaServer.Aws;

/// <summary>Start-up checks common to the options of every AWS client (endpoint, credentials, retry timing).</summary>
public static class AwsOptionsChecks
{
    /// <summary>Adds a message per problem to <paramref name="failures"/>; <paramref name="section"/> prefixes the keys.</summary>
    public static void Check(
        string section,
        string? serviceUrl,
        string? accessKey,
        string? secretKey,
        string? sessionToken,
        TimeSpan retryBaseDelay,
        TimeSpan retryMaxDelay,
        TimeSpan requestTimeout,
        ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (!string.IsNullOrWhiteSpace(serviceUrl)
            && (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{section}:ServiceUrl must be an absolute http(s) URL.");
        }

        if (string.IsNullOrEmpty(accessKey) != string.IsNullOrEmpty(secretKey))
        {
            failures.Add($"{section}:AccessKey and {section}:SecretKey go together: set both, or neither to use the AWS default credential chain.");
        }

        if (!string.IsNullOrEmpty(sessionToken) && string.IsNullOrEmpty(accessKey))
        {
            failures.Add($"{section}:SessionToken needs {section}:AccessKey and SecretKey.");
        }

        if (retryBaseDelay <= TimeSpan.Zero || retryMaxDelay < retryBaseDelay)
        {
            failures.Add($"{section}:RetryBaseDelay must be positive and no more than RetryMaxDelay.");
        }

        if (requestTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{section}:RequestTimeout must be at least 1 second.");
        }
    }
}
