using System.ComponentModel.DataAnnotations;

namespace MetaServer.Matchmaking.Offline;

/// <summary>Options of the offline matchmaker, bound from <c>MetaServer:Matchmaking:Offline</c>.</summary>
public sealed class OfflineMatchmakerOptions
{
    public const string SectionName = "MetaServer:Matchmaking:Offline";

    /// <summary>How often the pool is evaluated (timeouts, then matches). Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an ended ticket's id stays reserved (a new ticket may not reuse it). Default 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan EndedTicketRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Region written into events and ARNs. Default <c>local</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9-]{1,32}$")]
    public string Region { get; set; } = "local";

    /// <summary>Account written into events and ARNs. Default <c>000000000000</c>.</summary>
    [Required]
    [RegularExpression("^[0-9]{12}$")]
    public string Account { get; set; } = "000000000000";
}
