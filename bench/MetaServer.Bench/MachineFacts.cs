using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace MetaServer.Bench;

internal static class MachineFacts
{
    public static IEnumerable<string> Describe()
    {
        yield return $"- CPU: {Environment.ProcessorCount} logical cores ({RuntimeInformation.ProcessArchitecture}){CpuModel()}";
        yield return $"- Memory: {FormatBytes(TotalMemoryBytes())}";
        yield return $"- OS: {RuntimeInformation.OSDescription}";
        yield return $"- .NET: {RuntimeInformation.FrameworkDescription}; bench process GC: {(GCSettings.IsServerGC ? "server" : "workstation")}";
    }

    public static string FormatBytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB"];
        var unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }

    private static long TotalMemoryBytes()
    {
        const string MemInfo = "/proc/meminfo";
        if (File.Exists(MemInfo))
        {
            foreach (var line in File.ReadLines(MemInfo))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    var parts = line["MemTotal:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string CpuModel()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo))
        {
            return string.Empty;
        }

        foreach (var line in File.ReadLines(CpuInfo))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                return ", " + line[(colon + 1)..].Trim();
            }
        }

        return string.Empty;
    }
}
