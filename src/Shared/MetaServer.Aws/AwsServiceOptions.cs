using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Microsoft.Extensions.Options;

namespace MetaServer.Aws;

/// <summary>
/// Settings every AWS JSON-protocol client has (endpoint, region, credentials, retry timing), bound from the
/// client's own configuration section (e.g. <c>MetaServer:Sqs</c>, <c>MetaServer:GameLift</c>).
/// </summary>
public abstract partial class AwsServiceOptions
{
    private readonly string _sectionName;
    private readonly string _endpointPrefix;

    /// <param name="sectionName">Configuration section, prefixing the keys in validation messages.</param>
    /// <param name="endpointPrefix">Host prefix of the default endpoint: <c>https://{endpointPrefix}.{Region}.amazonaws.com</c>.</param>
    protected AwsServiceOptions(string sectionName, string endpointPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(sectionName);
        ArgumentException.ThrowIfNullOrEmpty(endpointPrefix);
        _sectionName = sectionName;
        _endpointPrefix = endpointPrefix;
    }

    /// <summary>Endpoint override (a local stand-in, a VPC endpoint, a test server). Empty: the service's regional endpoint.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>AWS region; also the SigV4 signing region. Required (checked by <see cref="AddValidationFailures"/>).</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>Explicit access key; empty uses the AWS default chain (environment, profile, ECS/EC2 role). Never logged.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret key going with <see cref="AccessKey"/>. Never logged.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Optional session token going with <see cref="AccessKey"/>. Never logged.</summary>
    public string? SessionToken { get; set; }

    /// <summary>Retries of a throttled, failed (5xx) or unreachable call, with jittered exponential back-off.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First back-off step; each retry doubles it (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time limit of one HTTP call (a call may add its own extra, e.g. a long-poll wait).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The endpoint calls go to (a method, so options validation does not evaluate it before Region is checked).</summary>
    public Uri ResolveEndpoint() => string.IsNullOrWhiteSpace(ServiceUrl)
        ? new Uri($"https://{_endpointPrefix}.{Region}.amazonaws.com/")
        : new Uri(ServiceUrl, UriKind.Absolute);

    /// <summary>Credentials from <see cref="AccessKey"/> (with <see cref="SessionToken"/>), or else the AWS default chain.</summary>
    public AWSCredentials ResolveCredentials() => AwsCredentialsResolver.Resolve(AccessKey, SecretKey, SessionToken);

    /// <summary>How credentials are obtained, for start-up logs (never the secrets themselves).</summary>
    public string DescribeCredentialSource() => AwsCredentialsResolver.DescribeSource(AccessKey);

    /// <summary>
    /// Adds a message per problem (keys prefixed by the section name): the region, then the checks common to every
    /// AWS client (<see cref="AwsOptionsChecks"/>), then the service's own (<see cref="AddServiceValidationFailures"/>).
    /// </summary>
    public void AddValidationFailures(ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (string.IsNullOrWhiteSpace(Region))
        {
            failures.Add($"{_sectionName}:Region is required (e.g. 'eu-west-1').");
        }
        else if (!RegionPattern().IsMatch(Region))
        {
            failures.Add($"{_sectionName}:Region must look like 'eu-west-1'.");
        }

        AwsOptionsChecks.Check(_sectionName, ServiceUrl, AccessKey, SecretKey, SessionToken, RetryBaseDelay, RetryMaxDelay, RequestTimeout, failures);
        AddServiceValidationFailures(_sectionName, failures);
    }

    /// <summary>Checks of the settings a service adds; <paramref name="section"/> prefixes the keys in messages.</summary>
    protected virtual void AddServiceValidationFailures(string section, ICollection<string> failures)
    {
    }

    [GeneratedRegex("^[a-z0-9-]{2,40}$")]
    private static partial Regex RegionPattern();
}

/// <summary>Start-up validation of an <see cref="AwsServiceOptions"/> (see <see cref="AwsServiceOptions.AddValidationFailures"/>).</summary>
public class AwsServiceOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : AwsServiceOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        options.AddValidationFailures(failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
