using Microsoft.Extensions.Logging;

namespace MetaServer.Aws;

internal static partial class AwsLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "{Service} {Action} attempt {Attempt} failed ({Error}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string service, string action, int attempt, string error, TimeSpan delay);
}
