using System.ComponentModel.DataAnnotations;

namespace MetaServer.Frontend;

/// <summary>Limits and behaviour of the WebSocket frontend. Bound from <c>MetaServer:Frontend</c>.</summary>
public sealed class FrontendOptions
{
    public const string SectionName = "MetaServer:Frontend";

    /// <summary>Largest inbound message (one Envelope) in bytes; a larger one closes the session with 1009.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>A session that has not authenticated by then is closed with 1008.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the server pings the client (WebSocket ping). Zero disables keep-alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the connection is aborted. Zero waits forever.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A session whose client sends no frame for this long is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages waiting to be sent to one client; when full the client is too slow and the session is aborted.</summary>
    [Range(1, 100_000)]
    public int OutboundQueueCapacity { get; set; } = 64;

    /// <summary>How long a request waits for its backend reply before the client gets TIMEOUT.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Origins allowed to open a session (e.g. <c>https://game.example</c>). Empty allows any origin.</summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>Identifies this frontend instance; names its reply queue. Letters, digits, '-' and '_'.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,40}$", ErrorMessage = "MetaServer:Frontend:InstanceId must be 1-40 letters, digits, '-' or '_'.")]
    public string InstanceId { get; set; } = "fe-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Upper bound for draining the live sessions on shutdown.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Time to live of an authenticated session's entry in the session registry (where backends find the player's
    /// frontend to push events). Refreshed every third of it while the session lives; bounds how long a crashed
    /// instance's sessions still look online.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "01:00:00")]
    public TimeSpan PresenceTtl { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Session token settings (<c>MetaServer:Frontend:Tokens</c>).</summary>
    public TokenOptions Tokens { get; set; } = new();
}

/// <summary>Session token settings. Bound from <c>MetaServer:Frontend:Tokens</c>.</summary>
public sealed class TokenOptions
{
    /// <summary>Minimum HMAC key size in bytes.</summary>
    public const int MinKeyBytes = 32;

    /// <summary>Name of the generated key file inside <c>MetaServer:DataDir</c>.</summary>
    public const string GeneratedKeyFileName = "frontend-token.key";

    /// <summary>Base64 HMAC-SHA256 key, at least 32 bytes. Every frontend of a deployment needs the same key. Never logged.</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// When no <see cref="SigningKey"/> is configured: generate one and keep it in
    /// <c>&lt;DataDir&gt;/frontend-token.key</c>. Meant for the single-process host; off by default.
    /// </summary>
    public bool AllowGeneratedSigningKey { get; set; }

    /// <summary>How long an issued token stays valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The <c>iss</c> claim written and required.</summary>
    [Required]
    public string Issuer { get; set; } = "metaserver";

    public override string ToString() => $"TokenOptions {{ SigningKey = {(SigningKey is null ? "<none>" : "<set>")}, Lifetime = {Lifetime}, Issuer = {Issuer} }}";
}
