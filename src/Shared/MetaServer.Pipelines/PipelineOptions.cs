using System.ComponentModel.DataAnnotations;

namespace MetaServer.Pipelines;

/// <summary>How one pipeline (one message type) runs. Bound from <c>MetaServer:Pipelines:&lt;Default|message-type&gt;</c>.</summary>
public sealed class PipelineOptions
{
    /// <summary>Producers (receive loops) per pipeline.</summary>
    [Range(1, 64)]
    public int Producers { get; set; } = 1;

    /// <summary>
    /// Consumers per producer: a producer never has more messages in handling than this, and asks each receive
    /// for at most as many as are free (and at most 10). 16 leaves room for full receives of 10 while other
    /// consumers wait for their replies to be sent (a batching transport may hold a send a few ms).
    /// </summary>
    [Range(1, 1024)]
    public int ConsumersPerProducer { get; set; } = 16;

    /// <summary>Visibility timeout of the request queue; long handlers renew it before it lapses.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "12:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Long-poll wait of each receive.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20")]
    public TimeSpan ReceiveWaitTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Deliveries before a message moves to the dead-letter queue.</summary>
    [Range(1, 1000)]
    public int MaxReceiveCount { get; set; } = 5;

    /// <summary>How long a stop waits for in-flight messages before cancelling their handlers.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
