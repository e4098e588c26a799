using System.ComponentModel.DataAnnotations;
using MetaServer.Aws;

namespace MetaServer.Messaging.Sqs;

/// <summary>
/// Amazon SQS transport settings, bound from <c>MetaServer:Sqs</c>: the common AWS client settings of
/// <see cref="AwsServiceOptions"/> (empty <see cref="AwsServiceOptions.ServiceUrl"/>: <c>https://sqs.{Region}.amazonaws.com</c>;
/// <see cref="AwsServiceOptions.RequestTimeout"/> comes on top of a receive's long-poll wait), batching, pacing and
/// reply-queue clean-up.
/// </summary>
public sealed class SqsOptions : AwsServiceOptions
{
    public const string SectionName = "MetaServer:Sqs";

    public SqsOptions()
        : base(SectionName, "sqs")
    {
    }

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

    protected override void AddServiceValidationFailures(string section, ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var maxLinger = TimeSpan.FromSeconds(1);
        if (SendLinger < TimeSpan.Zero || SendLinger > maxLinger
            || DeleteLinger < TimeSpan.Zero || DeleteLinger > maxLinger
            || ReceiveLinger < TimeSpan.Zero || ReceiveLinger > maxLinger)
        {
            failures.Add($"{section}:SendLinger, DeleteLinger and ReceiveLinger must be between 0 and 1 second (0 disables the pacing).");
        }

        if (ReplyQueueHeartbeatInterval < TimeSpan.FromSeconds(1) || ReplyQueueSweepInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{section}:ReplyQueueHeartbeatInterval and ReplyQueueSweepInterval must be at least 1 second.");
        }

        if (ReplyQueueOrphanAge < ReplyQueueHeartbeatInterval * 3)
        {
            failures.Add($"{section}:ReplyQueueOrphanAge must be at least three heartbeat intervals, or live queues would be deleted.");
        }
    }
}

/// <summary>Cross-field checks of <see cref="SqsOptions"/>, run at start-up.</summary>
public sealed class SqsOptionsValidator : AwsServiceOptionsValidator<SqsOptions>;
