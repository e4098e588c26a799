using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// A provider's key endpoint on 127.0.0.1 (Kestrel, port 0): serves <c>GET /keys</c> with what <see cref="Respond"/>
/// says, counts the requests it receives, and is stopped on dispose.
/// </summary>
internal sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private int _requests;
    private TaskCompletionSource _requestSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private JwksServer(WebApplication app) => _app = app;

    /// <summary>Answer to the next requests: status code and body (a JWKS by default).</summary>
    public Func<(int Status, string Body)> Respond { get; set; } = () => (200, "{\"keys\":[]}");

    /// <summary>When true, a request is held open (never answered) until the client gives up or the server stops.</summary>
    public bool Hang { get; set; }

    /// <summary>Requests received on <c>/keys</c> so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes when the next request arrives (reset by each arrival).</summary>
    public Task NextRequest => Volatile.Read(ref _requestSeen).Task;

    public Uri KeysUri { get; private set; } = null!;

    public static async Task<JwksServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new JwksServer(app);
        app.MapGet("/keys", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.KeysUri = new Uri(new Uri(address), "/keys");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
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

        var (status, body) = Respond();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted);
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
