namespace MetaServer.Client;

/// <summary>Settings of a <see cref="MetaServerClient"/>. The defaults suit interactive tools and tests.</summary>
public sealed class MetaServerClientOptions
{
    /// <summary>
    /// Value of the <c>Origin</c> header sent with the WebSocket upgrade request; null sends none
    /// (the usual case for non-browser clients).
    /// </summary>
    public string? Origin { get; set; }

    /// <summary>
    /// How many unread server events (<c>request_id</c> 0) are buffered in <see cref="MetaServerClient.Events"/>.
    /// When the buffer is full the OLDEST unread event is dropped (and <see cref="MetaServerClient.DroppedEventCount"/>
    /// increases), so a reader that does not keep up never stalls replies to requests. Default 256.
    /// </summary>
    public int EventCapacity { get; set; } = 256;

    /// <summary>
    /// Upper bound on waiting for a reply; <see cref="Timeout.InfiniteTimeSpan"/> waits until the reply, the
    /// cancellation token or the connection closing. Exceeding it throws <see cref="TimeoutException"/>. Default 30 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest server frame accepted; a bigger one closes the connection with <c>MessageTooBig</c>. Default 1 MiB.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>WebSocket keep-alive (unsolicited pong) interval; <see cref="TimeSpan.Zero"/> disables it. Default 30 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="MetaServerClient.DisposeAsync"/> waits for the close handshake before aborting. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(EventCapacity, 1, nameof(EventCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 16, nameof(MaxMessageBytes));
        if (RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero, nameof(RequestTimeout));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(KeepAliveInterval, TimeSpan.Zero, nameof(KeepAliveInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
    }
}
