using System.ComponentModel.DataAnnotations;
using MetaServer.Aws;
using Microsoft.Extensions.Options;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>Amazon GameLift client settings, bound from <c>MetaServer:GameLift</c>.</summary>
public sealed class GameLiftOptions
{
    public const string SectionName = "MetaServer:GameLift";

    /// <summary>Endpoint override (a VPC endpoint, a test server). Empty: <c>https://gamelift.{Region}.amazonaws.com</c>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>AWS region of the matchmaking configurations; also the SigV4 signing region.</summary>
    [Required(ErrorMessage = "MetaServer:GameLift:Region is required (e.g. 'eu-west-1').")]
    [RegularExpression("^[a-z0-9-]{2,40}$", ErrorMessage = "MetaServer:GameLift:Region must look like 'eu-west-1'.")]
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

    /// <summary>Time limit of one HTTP call.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The endpoint calls go to (a method, so options validation does not evaluate it before Region is checked).</summary>
    public Uri ResolveEndpoint() => string.IsNullOrWhiteSpace(ServiceUrl)
        ? new Uri($"https://gamelift.{Region}.amazonaws.com/")
        : new Uri(ServiceUrl, UriKind.Absolute);
}

/// <summary>Cross-field checks of <see cref="GameLiftOptions"/>, run at start-up.</summary>
public sealed class GameLiftOptionsValidator : IValidateOptions<GameLiftOptions>
{
    public ValidateOptionsResult Validate(string? name, GameLiftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        AwsOptionsChecks.Check(
            GameLiftOptions.SectionName,
            options.ServiceUrl,
            options.AccessKey,
            options.SecretKey,
            options.SessionToken,
            options.RetryBaseDelay,
            options.RetryMaxDelay,
            options.RequestTimeout,
            failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
