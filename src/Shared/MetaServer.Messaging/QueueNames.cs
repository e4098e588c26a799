using System.Text;

namespace MetaServer.Messaging;

/// <summary>
/// Queue naming: one queue per request message type, one reply queue per frontend instance, each
/// prefixed by the deployment version so old and new versions run side by side without sharing queues.
/// Names fit SQS rules: letters, digits, '-' and '_', at most 80 characters.
/// </summary>
public sealed class QueueNames
{
    private const string DeadLetterSuffix = "-dlq";

    public QueueNames(string deploymentVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deploymentVersion);
        Prefix = Sanitize(deploymentVersion);
    }

    public string Prefix { get; }

    /// <summary>The request queue of a message type, e.g. <c>v1-req-accounts-login-device</c>.</summary>
    public string ForMessageType(string messageType) => Checked($"{Prefix}-req-{Sanitize(messageType)}");

    /// <summary>The reply queue of one frontend instance, e.g. <c>v1-reply-fe-3f2a</c>.</summary>
    public string ReplyQueue(string frontendInstanceId) => Checked($"{Prefix}-reply-{Sanitize(frontendInstanceId)}");

    /// <summary>The queue of one match, where its game server gets the match, e.g. <c>v1-match-0b5c…</c>.</summary>
    public string ForMatch(string matchId) => Checked($"{Prefix}-match-{Sanitize(matchId)}");

    /// <summary>Prefix shared by every per-match queue of this deployment version (for clean-up).</summary>
    public string MatchQueuePrefix => $"{Prefix}-match-";

    /// <summary>Prefix shared by every reply queue of this deployment version (for orphan clean-up).</summary>
    public string ReplyQueuePrefix => $"{Prefix}-reply-";

    public static string DeadLetterOf(string queueName) => Checked(queueName + DeadLetterSuffix);

    public static bool IsDeadLetter(string queueName) => queueName.EndsWith(DeadLetterSuffix, StringComparison.Ordinal);

    private static string Checked(string name)
    {
        if (name.Length > TransportLimits.MaxQueueNameLength)
        {
            throw new ArgumentException($"Queue name '{name}' is longer than {TransportLimits.MaxQueueNameLength} characters.");
        }

        return name;
    }

    /// <summary>Maps any text to SQS-safe characters: '.' and other separators become '-'.</summary>
    public static string Sanitize(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var sb = new StringBuilder(value.Length);
        foreach (var c in value.Trim())
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '-');
        }

        return sb.ToString();
    }

    /// <summary>Throws when a name breaks SQS queue name rules.</summary>
    public static void Validate(string queueName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        if (queueName.Length > TransportLimits.MaxQueueNameLength)
        {
            throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"Queue name '{queueName}' is longer than {TransportLimits.MaxQueueNameLength} characters.");
        }

        foreach (var c in queueName)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new TransportException(TransportErrorCodes.InvalidParameterValue, $"Queue name '{queueName}' may only contain letters, digits, '-' and '_'.");
            }
        }
    }
}
