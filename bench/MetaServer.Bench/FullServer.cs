using MetaServer.AllInOne;
using Microsoft.AspNetCore.Builder;

namespace MetaServer.Bench;

/// <summary>The full embedded path: the all-in-one host (frontend, queues, accounts backend on SQLite) on 127.0.0.1:0.</summary>
internal static class FullServer
{
    public static WebApplication Build(string dataDir)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", $"--MetaServer:DataDir={dataDir}"];
        return AllInOneApp.Build(args, BenchLogging.Configure);
    }
}
