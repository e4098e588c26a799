using System.Text.RegularExpressions;

namespace MetaServer.Matchmaking.GameLift;

/// <summary>
/// Client-side checks of the constraints the GameLift API reference documents, so a bad request fails with a
/// clear <see cref="ArgumentException"/> naming the field instead of a round trip and an InvalidRequestException.
/// </summary>
internal static partial class GameLiftRequestValidator
{
    public const int MaxPlayersPerTicket = 10;
    public const int MaxTicketIdsPerDescribe = 10;
    public const int MaxTicketIdLength = 128;
    public const int MaxConfigurationNameLength = 256;
    public const int MaxPlayerStringLength = 1024;
    public const int MaxPlayerAttributes = 10;
    public const int MaxAttributeStringLength = 100;
    public const int MaxStringListItems = 100;
    public const int MaxStringDoubleMapEntries = 10;

    public static void Validate(StartMatchmakingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TicketId is not null)
        {
            TicketId(request.TicketId, "TicketId");
        }

        var name = request.ConfigurationName;
        if (string.IsNullOrEmpty(name) || name.Length > MaxConfigurationNameLength || !ConfigurationNamePattern().IsMatch(name))
        {
            throw Invalid("ConfigurationName", $"must be 1 to {MaxConfigurationNameLength} characters: a name of [a-zA-Z0-9-.] or a matchmakingconfiguration ARN (was '{name}').");
        }

        if (request.Players is null || request.Players.Count is 0 or > MaxPlayersPerTicket)
        {
            throw Invalid("Players", $"must hold 1 to {MaxPlayersPerTicket} players (was {request.Players?.Count ?? 0}).");
        }

        for (var i = 0; i < request.Players.Count; i++)
        {
            Player(request.Players[i], $"Players[{i}]");
        }
    }

    public static void Validate(StopMatchmakingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequiredTicketId(request.TicketId, "TicketId");
    }

    public static void Validate(AcceptMatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequiredTicketId(request.TicketId, "TicketId");
        if (request.PlayerIds is null || request.PlayerIds.Count == 0)
        {
            throw Invalid("PlayerIds", "must name at least one player.");
        }

        for (var i = 0; i < request.PlayerIds.Count; i++)
        {
            Length(request.PlayerIds[i], MaxPlayerStringLength, $"PlayerIds[{i}]");
        }

        if (!Enum.IsDefined(request.AcceptanceType))
        {
            throw Invalid("AcceptanceType", "must be ACCEPT or REJECT.");
        }
    }

    public static void Validate(DescribeMatchmakingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TicketIds is null || request.TicketIds.Count is 0 or > MaxTicketIdsPerDescribe)
        {
            throw Invalid("TicketIds", $"must hold 1 to {MaxTicketIdsPerDescribe} ticket ids (was {request.TicketIds?.Count ?? 0}).");
        }

        for (var i = 0; i < request.TicketIds.Count; i++)
        {
            RequiredTicketId(request.TicketIds[i], $"TicketIds[{i}]");
        }
    }

    private static void Player(Player? player, string path)
    {
        if (player is null)
        {
            throw Invalid(path, "must not be null.");
        }

        Length(player.PlayerId, MaxPlayerStringLength, path + ".PlayerId");
        if (player.Team is not null)
        {
            Length(player.Team, MaxPlayerStringLength, path + ".Team");
        }

        if (player.PlayerAttributes is { } attributes)
        {
            if (attributes.Count > MaxPlayerAttributes)
            {
                throw Invalid(path + ".PlayerAttributes", $"may hold up to {MaxPlayerAttributes} attributes (was {attributes.Count}).");
            }

            foreach (var (key, value) in attributes)
            {
                Length(key, MaxPlayerStringLength, $"{path}.PlayerAttributes key '{key}'");
                Attribute(value, $"{path}.PlayerAttributes[\"{key}\"]");
            }
        }

        if (player.LatencyInMs is { } latencies)
        {
            foreach (var (region, latency) in latencies)
            {
                if (string.IsNullOrEmpty(region))
                {
                    throw Invalid(path + ".LatencyInMs", "region keys must not be empty.");
                }

                if (latency < 1)
                {
                    throw Invalid($"{path}.LatencyInMs[\"{region}\"]", $"must be at least 1 millisecond (was {latency}).");
                }
            }
        }
    }

    private static void Attribute(AttributeValue? value, string path)
    {
        if (value is null)
        {
            throw Invalid(path, "must not be null.");
        }

        var set = (value.S is not null ? 1 : 0) + (value.N is not null ? 1 : 0) + (value.SL is not null ? 1 : 0) + (value.SDM is not null ? 1 : 0);
        if (set != 1)
        {
            throw Invalid(path, $"must set exactly one of S, N, SL, SDM (had {set}).");
        }

        if (value.S is not null)
        {
            Length(value.S, MaxAttributeStringLength, path + ".S");
        }
        else if (value.N is { } number)
        {
            if (!double.IsFinite(number))
            {
                throw Invalid(path + ".N", "must be a finite number.");
            }
        }
        else if (value.SL is { } list)
        {
            if (list.Count > MaxStringListItems)
            {
                throw Invalid(path + ".SL", $"may hold up to {MaxStringListItems} strings (was {list.Count}).");
            }

            for (var i = 0; i < list.Count; i++)
            {
                Length(list[i], MaxAttributeStringLength, $"{path}.SL[{i}]");
            }
        }
        else if (value.SDM is { } map)
        {
            if (map.Count > MaxStringDoubleMapEntries)
            {
                throw Invalid(path + ".SDM", $"may hold up to {MaxStringDoubleMapEntries} entries (was {map.Count}).");
            }

            foreach (var (key, entry) in map)
            {
                Length(key, MaxAttributeStringLength, $"{path}.SDM key '{key}'");
                if (!double.IsFinite(entry))
                {
                    throw Invalid($"{path}.SDM[\"{key}\"]", "must be a finite number.");
                }
            }
        }
    }

    private static void RequiredTicketId(string? ticketId, string path)
    {
        if (string.IsNullOrEmpty(ticketId))
        {
            throw Invalid(path, "is required.");
        }

        TicketId(ticketId, path);
    }

    private static void TicketId(string ticketId, string path)
    {
        if (ticketId.Length > MaxTicketIdLength || !TicketIdPattern().IsMatch(ticketId))
        {
            throw Invalid(path, $"must be up to {MaxTicketIdLength} characters of [a-zA-Z0-9-.] (was '{ticketId}').");
        }
    }

    private static void Length(string? value, int max, string path)
    {
        if (string.IsNullOrEmpty(value) || value.Length > max)
        {
            throw Invalid(path, $"must be 1 to {max} characters (was {value?.Length ?? 0}).");
        }
    }

    private static ArgumentException Invalid(string path, string problem) => new($"{path} {problem}", "request");

    [GeneratedRegex(@"^[a-zA-Z0-9\-.]*$", RegexOptions.CultureInvariant)]
    private static partial Regex TicketIdPattern();

    [GeneratedRegex(@"^(?:[a-zA-Z0-9\-.]*|arn:.*:matchmakingconfiguration/[a-zA-Z0-9\-.]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigurationNamePattern();
}
