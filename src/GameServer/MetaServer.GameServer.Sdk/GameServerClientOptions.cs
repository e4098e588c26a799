using System.ComponentModel.DataAnnotations;

namespace MetaServer.GameServer.Sdk;

/// <summary>Settings of one <see cref="GameServerClient"/> (one game-server slot).</summary>
public sealed class GameServerClientOptions
{
    /// <summary>Deployment version of the MetaServer deployment to serve; selects the placement queue name and is stamped on reports.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,20}$", ErrorMessage = "DeploymentVersion must be 1-20 letters, digits, '-' or '_'.")]
    public string DeploymentVersion { get; set; } = "local";

    /// <summary>Identifies this game-server process (or slot) in reports and logs.</summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string GameServerId { get; set; } = string.Empty;

    /// <summary>host:port clients connect to, sent in the started report; null when the game server has none.</summary>
    public string? GameServerAddress { get; set; }

    /// <summary>Long-poll wait of one placement receive (at most 20 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20")]
    public TimeSpan PlacementWaitTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a taken placement stays invisible to other game servers. It is extended by this much every half of it
    /// while the server prepares, until the match message is read.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:15:00")]
    public TimeSpan PlacementVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the match message on the per-match queue before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MatchMessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ValidationException"/> when a setting is out of range.</summary>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
}
