using MetaServer.Testing;

namespace MetaServer.Matchmaking.GameLift.Tests;

/// <summary>Scripted GameLift answers for <see cref="LoopbackHttpServer"/>.</summary>
internal static class GameLiftResponses
{
    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>A GameLift JSON error: <c>{"__type": ..., "message": ...}</c> with a request id header.</summary>
    public static ScriptedResponse Error(int status, string type, string message) =>
        new(status, $$"""{"__type":"{{type}}","message":"{{message}}"}""", new Dictionary<string, string> { ["x-amzn-RequestId"] = "req-" + type });
}
