using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace MetaServer.Bench;

internal static class BenchLogging
{
    /// <summary>Servers under test log warnings and errors only, all to stderr: stdout carries the report (and a child's PORT line).</summary>
    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    }
}
