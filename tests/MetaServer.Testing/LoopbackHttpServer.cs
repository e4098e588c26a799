using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetaServer.Testing;

/// <summary>A request as <see cref="LoopbackHttpServer"/> received it (header names lower-cased).</summary>
public sealed record CapturedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The header's value; a missing header fails the test.</summary>
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"Header {name} missing.");

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>An answer <see cref="LoopbackHttpServer"/> gives: status, body, extra headers.</summary>
public sealed record ScriptedResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static ScriptedResponse Ok(string body = "{}") => new(200, body);
}

/// <summary>
/// Kestrel on 127.0.0.1 (port 0) standing in for a remote HTTP endpoint: records each request, answers from a script
/// (<see cref="Enqueue"/>), then from <see cref="Responder"/> if set, else <see cref="Fallback"/>; or holds requests
/// open while <see cref="Hang"/> is set. Stopped by the test that starts it (<c>await using</c>).
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _requestSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LoopbackHttpServer(WebApplication app, string contentType)
    {
        _app = app;
        ContentType = contentType;
    }

    /// <summary>Requests received so far, in arrival order.</summary>
    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>How many requests arrived so far.</summary>
    public int RequestCount => Requests.Count;

    /// <summary>Content type of every answer.</summary>
    public string ContentType { get; set; }

    /// <summary>Answer once the script is used up (and no <see cref="Responder"/> is set).</summary>
    public ScriptedResponse Fallback { get; set; } = ScriptedResponse.Ok();

    /// <summary>Answer once the script is used up; overrides <see cref="Fallback"/> when set.</summary>
    public Func<CapturedRequest, ScriptedResponse>? Responder { get; set; }

    /// <summary>When true, a request is held open (never answered) until the client gives up or the server stops.</summary>
    public bool Hang { get; set; }

    /// <summary>Completes when the next request arrives (reset by each arrival).</summary>
    public Task NextRequest => Volatile.Read(ref _requestSeen).Task;

    /// <summary>Base address, <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    public void Enqueue(params ScriptedResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    public static async Task<LoopbackHttpServer> StartAsync(string contentType = "application/json")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackHttpServer(app, contentType);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Endpoint = new Uri(address + "/");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var request = new CapturedRequest(context.Request.Method, context.Request.Path.Value ?? "/", headers, buffer.ToArray());
        Requests.Enqueue(request);
        Interlocked.Exchange(ref _requestSeen, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (Hang)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (either.Token.Register(() => held.TrySetResult()))
            {
                await held.Task;
            }

            return;
        }

        var response = _script.TryDequeue(out var scripted) ? scripted : Responder?.Invoke(request) ?? Fallback;
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = ContentType;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
