using System.Globalization;
using System.Runtime;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetaServer.Bench;

/// <summary>Memory figures of a server process, taken right after a forced, compacting full GC.</summary>
internal sealed record MemorySample(long GcHeapBytes, long GcCommittedBytes, long RssBytes, bool ServerGc);

[JsonSerializable(typeof(MemorySample))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>The loopback-only diagnostics endpoint the bench's child servers expose.</summary>
internal static class MemoryDiagnostics
{
    public const string Path = "/_bench/memory";

    public static void MapMemoryDiagnostics(this WebApplication app)
    {
        app.MapGet(Path, (HttpContext context) =>
        {
            if (context.Connection.RemoteIpAddress is not { } remote || !System.Net.IPAddress.IsLoopback(remote))
            {
                return Results.NotFound();
            }

            return Results.Json(Take(), BenchJsonContext.Default.MemorySample);
        });
    }

    public static MemorySample Take()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        return new MemorySample(GC.GetTotalMemory(forceFullCollection: false), info.TotalCommittedBytes, ReadRssBytes(), GCSettings.IsServerGC);
    }

    /// <summary>Resident set size: VmRSS from /proc/self/status on Linux, else the working set.</summary>
    public static long ReadRssBytes()
    {
        const string StatusFile = "/proc/self/status";
        if (File.Exists(StatusFile))
        {
            foreach (var line in File.ReadLines(StatusFile))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var parts = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        return Environment.WorkingSet;
    }
}
