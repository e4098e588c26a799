using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Service;

/// <summary>Limits and timings of the friends service. Bound from <c>MetaServer:Friends</c>, validated at start.</summary>
public sealed class FriendsOptions
{
    public const string SectionName = "MetaServer:Friends";

    /// <summary>Most friends a player can have (an accept that would exceed it on either side is refused).</summary>
    [Range(1, 500)]
    public int MaxFriends { get; set; } = 200;

    /// <summary>Most requests a player can have received and not yet answered.</summary>
    [Range(1, 200)]
    public int MaxPendingIncoming { get; set; } = 100;

    /// <summary>Most requests a player can have sent that are still pending.</summary>
    [Range(1, 200)]
    public int MaxPendingOutgoing { get; set; } = 50;

    /// <summary>Most players one player can block.</summary>
    [Range(1, 500)]
    public int MaxBlocked { get; set; } = 200;

    /// <summary>
    /// An IN_QUEUE or IN_MATCH activity older than this is ignored (shown as ONLINE): bounds the effect of a lost
    /// "ticket ended" or "match ended" notice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ActivityMaxAge { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Read-modify-write rounds of one change before it gives up on conflicts (the message is then retried).</summary>
    [Range(1, 100)]
    public int MaxWriteAttempts { get; set; } = 10;
}

/// <summary>Cross-field rules of <see cref="FriendsOptions"/>.</summary>
internal sealed class FriendsOptionsValidator : IValidateOptions<FriendsOptions>
{
    public ValidateOptionsResult Validate(string? name, FriendsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // More outgoing requests than friend slots could never all be accepted.
        return options.MaxPendingOutgoing > options.MaxFriends
            ? ValidateOptionsResult.Fail($"{FriendsOptions.SectionName}:MaxPendingOutgoing ({options.MaxPendingOutgoing}) must not exceed MaxFriends ({options.MaxFriends}).")
            : ValidateOptionsResult.Success;
    }
}
