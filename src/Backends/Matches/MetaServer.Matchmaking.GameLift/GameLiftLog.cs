using Microsoft.Extensions.Logging;

namespace MetaServer.Matchmaking.GameLift;

internal static partial class GameLiftLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "GameLift client: endpoint {Endpoint}, region {Region}, credentials {CredentialSource}")]
    public static partial void Started(ILogger logger, Uri endpoint, string region, string credentialSource);
}
