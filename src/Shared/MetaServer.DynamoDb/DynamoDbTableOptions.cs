using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace MetaServer.DynamoDb;

/// <summary>
/// Settings every DynamoDB-backed store shares (endpoint, region, table, retries, stand-in credentials). A store's
/// options derive from it, name their configuration section and the default table name suffix.
/// </summary>
public abstract class DynamoDbTableOptions
{
    /// <summary>
    /// Endpoint of a DynamoDB stand-in (e.g. <c>http://127.0.0.1:8000/</c>). Empty (default): the real service of
    /// <see cref="Region"/>.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>
    /// AWS region, e.g. <c>eu-west-1</c>. Empty (default): the SDK's region chain (AWS_REGION, profile, instance
    /// metadata); with <see cref="ServiceUrl"/> the signing region, <c>us-east-1</c> when empty.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// Full table name. Empty (default): <c>&lt;MetaServer:DeploymentVersion&gt;-&lt;suffix&gt;</c>. Production sets it to
    /// the table infra/ creates, which outlives deployment versions.
    /// </summary>
    public string? TableName { get; set; }

    /// <summary>Create the table at start when it is missing (dev/test). Default false: production tables come from infra/.</summary>
    public bool CreateTableIfMissing { get; set; }

    /// <summary>Retries of one request by the SDK (throttling, 5xx, network errors), with its standard back-off.</summary>
    [Range(0, 20)]
    public int MaxErrorRetry { get; set; } = 8;

    /// <summary>Timeout of one HTTP attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Explicit access key id, for stand-ins and tests only; set together with <see cref="SecretAccessKey"/>.
    /// Empty (default): the SDK's credential chain (environment, profile, container/instance role).
    /// </summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Explicit secret key matching <see cref="AccessKeyId"/>. Never logged.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>Whether explicit credentials are configured.</summary>
    public bool HasExplicitCredentials => !string.IsNullOrEmpty(AccessKeyId) && !string.IsNullOrEmpty(SecretAccessKey);

    /// <summary>Suffix of the default table name, e.g. <c>accounts</c>.</summary>
    protected abstract string DefaultTableNameSuffix { get; }

    /// <summary>The table name to use: <see cref="TableName"/>, or <c>&lt;deploymentVersion&gt;-&lt;suffix&gt;</c>.</summary>
    public string ResolveTableName(string deploymentVersion)
    {
        if (!string.IsNullOrWhiteSpace(TableName))
        {
            return TableName.Trim();
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentVersion);
        return $"{deploymentVersion}-{DefaultTableNameSuffix}";
    }

    /// <summary>Does not show the secret key.</summary>
    public override string ToString() =>
        $"DynamoDb(ServiceUrl={ServiceUrl ?? "<aws>"}, Region={Region ?? "<sdk chain>"}, TableName={TableName ?? "<version>-" + DefaultTableNameSuffix}, " +
        $"CreateTableIfMissing={CreateTableIfMissing}, Credentials={(HasExplicitCredentials ? "explicit" : "sdk chain")})";
}

/// <summary>Cross-field rules of <see cref="DynamoDbTableOptions"/>. Messages name keys under the section, never secret values.</summary>
public abstract partial class DynamoDbTableOptionsValidator<TOptions>(string sectionName) : IValidateOptions<TOptions>
    where TOptions : DynamoDbTableOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var prefix = sectionName + ":";
        if (!string.IsNullOrEmpty(options.ServiceUrl)
            && (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{prefix}ServiceUrl must be an absolute http or https URL.");
        }

        if (!string.IsNullOrEmpty(options.Region) && !DynamoDbNames.IsValidRegion(options.Region))
        {
            failures.Add($"{prefix}Region must look like 'eu-west-1'.");
        }

        if (!string.IsNullOrWhiteSpace(options.TableName) && !DynamoDbNames.IsValidTableName(options.TableName.Trim()))
        {
            failures.Add($"{prefix}TableName must be 3-255 letters, digits, '_', '-' or '.'.");
        }

        if (string.IsNullOrEmpty(options.AccessKeyId) != string.IsNullOrEmpty(options.SecretAccessKey))
        {
            failures.Add($"{prefix}AccessKeyId and {prefix}SecretAccessKey must be set together (or both left empty for the SDK's credential chain).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>DynamoDB naming rules.</summary>
public static partial class DynamoDbNames
{
    /// <summary>DynamoDB table names: 3-255 of [a-zA-Z0-9_.-].</summary>
    public static bool IsValidTableName(string tableName) => TableNamePattern().IsMatch(tableName);

    /// <summary>AWS region names such as <c>eu-west-1</c>.</summary>
    public static bool IsValidRegion(string region) => RegionPattern().IsMatch(region);

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex TableNamePattern();
}
