using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;
using MetaServer.Messaging.Sqs;
using MetaServer.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Messaging.Tests.Sqs;

/// <summary>One fauxqs stand-in per test class.</summary>
public sealed class FauxqsFixture : IAsyncLifetime
{
    private StandIn? _sqs;

    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    public Uri Endpoint => (_sqs ?? throw new InvalidOperationException("fauxqs is not started.")).HttpEndpoint;

    public async Task InitializeAsync() => _sqs = await StandIn.StartSqsAsync();

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_sqs is not null)
        {
            await _sqs.DisposeAsync();
        }
    }

    public SqsOptions Options(Action<SqsOptions>? configure = null)
    {
        var options = new SqsOptions
        {
            ServiceUrl = Endpoint.ToString(),
            Region = "us-east-1",
            AccessKey = "test",
            SecretKey = "test",
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public SqsClient CreateClient(SqsOptions? options = null, TimeProvider? timeProvider = null) =>
        new(Http, options ?? Options(), timeProvider ?? TimeProvider.System, NullLogger<SqsClient>.Instance, new BasicAWSCredentials("test", "test"));
}

internal sealed record CapturedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"Header {name} missing.");

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

internal sealed record ScriptedResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static ScriptedResponse Ok(string body = "{}") => new(200, body);

    public static ScriptedResponse Error(int status, string type, string message, string? queryError = null) =>
        new(status, $$"""{"__type":"com.amazonaws.sqs#{{type}}","message":"{{message}}"}""", queryError is null ? null : new Dictionary<string, string> { ["x-amzn-query-error"] = queryError });
}

/// <summary>A loopback HTTP server on 127.0.0.1:0 that records every request and answers from a script.</summary>
internal sealed class LoopbackSqsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();

    private LoopbackSqsServer(WebApplication app) => _app = app;

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>Answer once the script is used up.</summary>
    public ScriptedResponse Fallback { get; set; } = ScriptedResponse.Ok();

    public Uri Endpoint { get; private set; } = null!;

    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    public static async Task<LoopbackSqsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackSqsServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        Requests.Enqueue(new CapturedRequest(context.Request.Method, context.Request.Path.Value ?? "/", headers, buffer.ToArray()));
        var response = _script.TryDequeue(out var scripted) ? scripted : Fallback;
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = "application/x-amz-json-1.0";
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
