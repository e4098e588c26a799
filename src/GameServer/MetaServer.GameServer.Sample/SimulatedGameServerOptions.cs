using System.ComponentModel.DataAnnotations;

namespace MetaServer.GameServer.Sample;

/// <summary>Settings of the simulated game servers; section <c>MetaServer:GameServers:Simulated</c>, validated at start-up.</summary>
public sealed class SimulatedGameServerOptions
{
    public const string SectionName = "MetaServer:GameServers:Simulated";

    /// <summary>False registers nothing that runs: no placement is taken.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Server slots: matches played at the same time (each slot takes one placement at a time).</summary>
    [Range(1, 64)]
    public int Slots { get; set; } = 2;

    /// <summary>How long a simulated match lasts (between the started and the result report).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MatchDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Seed of the simulation (slot n uses seed + n); null seeds from the system.</summary>
    public int? Seed { get; set; }

    /// <summary>Chance that a match of two teams ends in a draw.</summary>
    [Range(0.0, 1.0)]
    public double DrawChance { get; set; } = 0.1;

    /// <summary>Chance that a (non-bot) player leaves early.</summary>
    [Range(0.0, 1.0)]
    public double LeaveEarlyChance { get; set; } = 0.02;

    /// <summary>Game server ids are <c>&lt;prefix&gt;-&lt;slot&gt;</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "MetaServer:GameServers:Simulated:GameServerIdPrefix must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string GameServerIdPrefix { get; set; } = "sim";

    /// <summary>Bound on the wait for the match message after a placement (see the SDK).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MatchMessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Visibility timeout of a taken placement, extended while preparing (see the SDK).</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:15:00")]
    public TimeSpan PlacementVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Long-poll wait of one placement receive.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20")]
    public TimeSpan PlacementWaitTime { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Pause of a slot after a transport failure before it tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromSeconds(2);
}
