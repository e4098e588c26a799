using System.Globalization;
using MetaServer.AllInOne;
using Microsoft.AspNetCore.Builder;

namespace MetaServer.Bench;

/// <summary>The full path: the all-in-one host (frontend, queues, accounts backend on SQLite) on 127.0.0.1:0.</summary>
internal static class FullServer
{
    /// <summary>On the embedded (in-process) transport.</summary>
    public static WebApplication Build(string dataDir)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", $"--MetaServer:DataDir={dataDir}"];
        return AllInOneApp.Build(args, BenchLogging.Configure);
    }

    /// <summary>
    /// On the SQS transport against <paramref name="serviceUrl"/> (a stand-in; fixed fake credentials), with every
    /// SQS call counted by <paramref name="counter"/>. <paramref name="extraSettings"/> (<c>Key=Value</c>) are applied last.
    /// </summary>
    public static WebApplication BuildOnSqs(string dataDir, Uri serviceUrl, SqsCallCounter counter, IReadOnlyList<string> extraSettings)
    {
        List<string> args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--MetaServer:DataDir={dataDir}",
            "--MetaServer:Transport=Sqs",
            string.Create(CultureInfo.InvariantCulture, $"--MetaServer:Sqs:ServiceUrl={serviceUrl}"),
            "--MetaServer:Sqs:Region=us-east-1",
            "--MetaServer:Sqs:AccessKey=test",
            "--MetaServer:Sqs:SecretKey=test",
        ];
        args.AddRange(extraSettings.Select(setting => "--" + setting));
        return AllInOneApp.Build([.. args], builder =>
        {
            BenchLogging.Configure(builder);
            counter.Decorate(builder.Services);
        });
    }
}
