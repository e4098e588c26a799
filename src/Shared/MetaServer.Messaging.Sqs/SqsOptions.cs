using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MetaServer.Messaging.Sqs;

/// <summary>Amazon SQS transport settings, bound from <c>MetaServer:Sqs</c>.</summary>
public sealed class SqsOptions
{
    public const string SectionName = "MetaServer:Sqs";

    /// <summary>Endpoint override (a local stand-in, a VPC endpoint). Empty: <c>https://sqs.{Region}.amazonaws.com</c>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>AWS region; also the SigV4 signing region when <see cref="ServiceUrl"/> is set.</summary>
    [Required(ErrorMessage = "MetaServer:Sqs:Region is required (e.g. 'eu-west-1').")]
    [RegularExpression("^[a-z0-9-]{2,40}$", ErrorMessage = "MetaServer:Sqs:Region must look like 'eu-west-1'.")]
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

    /// <summary>Time limit of one HTTP call, on top of a receive's long-poll wait.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Coalesce sends and deletes on one queue (from any caller) into batch calls of up to 10.</summary>
    public bool BatchingEnabled { get; set; } = true;

    /// <summary>Batch calls in flight per queue and kind; further sends/deletes wait and join the next batch.</summary>
    [Range(1, 64)]
    public int MaxConcurrentBatchCalls { get; set; } = 4;

    /// <summary>
    /// Pacing of the send batcher (per queue): while sends flow, a batch that is not full goes out at most once per
    /// this interval, gathering what arrives meanwhile; an idle queue's send and full batches of 10 go at once.
    /// Caps partial <c>SendMessageBatch</c> calls at one per interval per queue; adds at most this much latency,
    /// and only under traffic. Zero: gather only while <see cref="MaxConcurrentBatchCalls"/> calls are in flight.
    /// </summary>
    public TimeSpan SendLinger { get; set; } = TimeSpan.FromMilliseconds(15);

    /// <summary>
    /// Pacing of the delete batcher (per queue), as <see cref="SendLinger"/>. Deletes are off the request path
    /// (the pipeline frees a consumer before its input's delete, the frontend does not wait for its reply deletes),
    /// so this can be longer than <see cref="SendLinger"/>; it must stay far below the queues' visibility timeouts.
    /// </summary>
    public TimeSpan DeleteLinger { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Receive pacing (per queue): after a long-poll receive that returned some messages but fewer than asked,
    /// the next receive on that queue waits until this long after the previous one started, so messages
    /// accumulate and the next call brings several. After an empty (idle) or a full receive there is no wait, and
    /// receives with no wait time (short polls) or for a single message are never paced. Zero disables it.
    /// </summary>
    public TimeSpan ReceiveLinger { get; set; } = TimeSpan.FromMilliseconds(15);

    /// <summary>Delete reply queues of crashed frontends.</summary>
    public bool ReplyQueueJanitorEnabled { get; set; } = true;

    /// <summary>How often a process tags the reply queues it owns as alive.</summary>
    public TimeSpan ReplyQueueHeartbeatInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A reply queue whose heartbeat is older than this is abandoned and gets deleted.</summary>
    public TimeSpan ReplyQueueOrphanAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the janitor looks for abandoned reply queues.</summary>
    public TimeSpan ReplyQueueSweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The endpoint calls go to (a method, so options validation does not evaluate it before Region is checked).</summary>
    public Uri ResolveEndpoint() => string.IsNullOrWhiteSpace(ServiceUrl)
        ? new Uri($"https://sqs.{Region}.amazonaws.com/")
        : new Uri(ServiceUrl, UriKind.Absolute);
}

/// <summary>Cross-field checks of <see cref="SqsOptions"/>, run at start-up.</summary>
public sealed class SqsOptionsValidator : IValidateOptions<SqsOptions>
{
    public ValidateOptionsResult Validate(string? name, SqsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl)
            && (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add("MetaServer:Sqs:ServiceUrl must be an absolute http(s) URL.");
        }

        if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
        {
            failures.Add("MetaServer:Sqs:AccessKey and MetaServer:Sqs:SecretKey go together: set both, or neither to use the AWS default credential chain.");
        }

        if (!string.IsNullOrEmpty(options.SessionToken) && string.IsNullOrEmpty(options.AccessKey))
        {
            failures.Add("MetaServer:Sqs:SessionToken needs MetaServer:Sqs:AccessKey and SecretKey.");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add("MetaServer:Sqs:RetryBaseDelay must be positive and no more than RetryMaxDelay.");
        }

        if (options.RequestTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add("MetaServer:Sqs:RequestTimeout must be at least 1 second.");
        }

        var maxLinger = TimeSpan.FromSeconds(1);
        if (options.SendLinger < TimeSpan.Zero || options.SendLinger > maxLinger
            || options.DeleteLinger < TimeSpan.Zero || options.DeleteLinger > maxLinger
            || options.ReceiveLinger < TimeSpan.Zero || options.ReceiveLinger > maxLinger)
        {
            failures.Add("MetaServer:Sqs:SendLinger, DeleteLinger and ReceiveLinger must be between 0 and 1 second (0 disables the pacing).");
        }

        if (options.ReplyQueueHeartbeatInterval < TimeSpan.FromSeconds(1) || options.ReplyQueueSweepInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add("MetaServer:Sqs:ReplyQueueHeartbeatInterval and ReplyQueueSweepInterval must be at least 1 second.");
        }

        if (options.ReplyQueueOrphanAge < options.ReplyQueueHeartbeatInterval * 3)
        {
            failures.Add("MetaServer:Sqs:ReplyQueueOrphanAge must be at least three heartbeat intervals, or live queues would be deleted.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
