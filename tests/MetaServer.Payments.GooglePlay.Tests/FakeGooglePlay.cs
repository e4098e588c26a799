using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetaServer.Payments.GooglePlay.Tests;

/// <summary>A request the fake saw: method, decoded path, raw query, Authorization header, body.</summary>
public sealed record GoogleRequest(string Method, string Path, string Query, string? Authorization, string? ContentType, string Body);

/// <summary>
/// Kestrel on 127.0.0.1 (port 0) playing Google: <c>POST /token</c> checks the JWT bearer assertion (RS256 signature
/// with the test key's public half, iss, scope, aud, iat = now, exp = iat + 1 h) and hands out <c>access-1</c>,
/// <c>access-2</c>, …; the Android Publisher routes require <c>Bearer</c> of the latest token and answer from
/// <see cref="Products"/>, <see cref="Acknowledge"/> and <see cref="VoidedPages"/>.
/// </summary>
public sealed class FakeGooglePlay : IAsyncDisposable
{
    public const string PackageName = "com.example.metaserver";
    public const string ClientEmail = "payments@metaserver-test.iam.gserviceaccount.com";

    private readonly WebApplication _app;
    private readonly RSA _publicKey;
    private readonly TimeProvider _time;
    private int _issued;

    private FakeGooglePlay(WebApplication app, RSA publicKey, TimeProvider time)
    {
        _app = app;
        _publicKey = publicKey;
        _time = time;
    }

    public Uri Endpoint { get; private set; } = null!;

    public string TokenUrl => new Uri(Endpoint, "token").AbsoluteUri;

    public ConcurrentQueue<GoogleRequest> Requests { get; } = new();

    public IEnumerable<GoogleRequest> TokenRequests => Requests.Where(r => r.Path == "/token");

    public IEnumerable<GoogleRequest> ApiRequests => Requests.Where(r => r.Path != "/token");

    /// <summary>Seconds of validity of each issued token.</summary>
    public int ExpiresIn { get; set; } = 3600;

    /// <summary>When set, the token endpoint answers this status.</summary>
    public int? TokenStatus { get; set; }

    /// <summary>Tokens the API refuses with 401 (as if revoked).</summary>
    public ConcurrentDictionary<string, bool> RevokedTokens { get; } = new();

    /// <summary>products.get answers by "productId/token": (status, body).</summary>
    public ConcurrentDictionary<string, (int Status, string Body)> Products { get; } = new();

    /// <summary>acknowledge answers by "productId/token" (default 204).</summary>
    public ConcurrentDictionary<string, int> Acknowledge { get; } = new();

    /// <summary>voidedpurchases.list answers by page token ("" for the first page).</summary>
    public ConcurrentDictionary<string, (int Status, string Body)> VoidedPages { get; } = new();

    /// <summary>Assertion problems the token endpoint found (a test asserts it stays empty).</summary>
    public ConcurrentQueue<string> AssertionProblems { get; } = new();

    public string LatestToken => $"access-{Volatile.Read(ref _issued)}";

    public static async Task<FakeGooglePlay> StartAsync(RSA publicKey, TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeGooglePlay(app, publicKey, time);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Endpoint = new Uri(address + "/");
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new GoogleRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.QueryString.Value ?? string.Empty,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null,
            context.Request.ContentType,
            body);
        Requests.Enqueue(request);

        var (status, answer) = Route(request, context.Request.Query);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer, context.RequestAborted);
    }

    private (int Status, string Body) Route(GoogleRequest request, IQueryCollection query)
    {
        if (request.Path == "/token")
        {
            return Token(request);
        }

        var prefix = $"/androidpublisher/v3/applications/{PackageName}/purchases/";
        if (!request.Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return (404, "{\"error\":{\"code\":404,\"message\":\"no such route\"}}");
        }

        if (request.Authorization is not { } auth || !auth.StartsWith("Bearer ", StringComparison.Ordinal)
            || auth["Bearer ".Length..] != LatestToken || RevokedTokens.ContainsKey(auth["Bearer ".Length..]))
        {
            return (401, "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\"}}");
        }

        var rest = request.Path[prefix.Length..];
        if (rest == "voidedpurchases" && request.Method == "GET")
        {
            var page = query["token"].ToString();
            return VoidedPages.TryGetValue(page, out var answer) ? answer : (400, "{\"error\":{\"code\":400}}");
        }

        var parts = rest.Split('/');
        if (parts.Length == 4 && parts[0] == "products" && parts[2] == "tokens")
        {
            var token = parts[3];
            if (request.Method == "POST" && token.EndsWith(":acknowledge", StringComparison.Ordinal))
            {
                var key = parts[1] + "/" + token[..^":acknowledge".Length];
                return (Acknowledge.TryGetValue(key, out var ack) ? ack : 204, string.Empty);
            }

            if (request.Method == "GET")
            {
                return Products.TryGetValue(parts[1] + "/" + token, out var product) ? product : (404, "{\"error\":{\"code\":404,\"message\":\"The purchase token was not found.\"}}");
            }
        }

        return (404, "{}");
    }

    private (int Status, string Body) Token(GoogleRequest request)
    {
        if (TokenStatus is { } forced)
        {
            return (forced, "{\"error\":\"invalid_grant\"}");
        }

        var form = request.Body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : string.Empty));
        if (request.Method != "POST" || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            AssertionProblems.Enqueue("not a form POST");
        }

        if (form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            AssertionProblems.Enqueue("wrong grant_type");
        }

        var parts = form.GetValueOrDefault("assertion", string.Empty).Split('.');
        if (parts.Length != 3)
        {
            AssertionProblems.Enqueue("assertion is not a JWT");
            return (400, "{\"error\":\"invalid_grant\"}");
        }

        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
        var signatureOk = _publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        Check(signatureOk, "signature does not verify with the test key");
        Check(header.GetProperty("alg").GetString() == "RS256", "alg is not RS256");
        Check(claims.GetProperty("iss").GetString() == ClientEmail, "iss is not the client_email");
        Check(claims.GetProperty("scope").GetString() == "https://www.googleapis.com/auth/androidpublisher", "wrong scope");
        Check(claims.GetProperty("aud").GetString() == TokenUrl, "aud is not the token URL");
        Check(claims.GetProperty("iat").GetInt64() == now, "iat is not now");
        Check(claims.GetProperty("exp").GetInt64() == now + 3600, "exp is not iat + 1 h");
        if (!AssertionProblems.IsEmpty)
        {
            return (400, "{\"error\":\"invalid_grant\"}");
        }

        var issued = Interlocked.Increment(ref _issued);
        return (200, JsonSerializer.Serialize(new { access_token = $"access-{issued}", expires_in = ExpiresIn, token_type = "Bearer" }));
    }

    private void Check(bool condition, string problem)
    {
        if (!condition)
        {
            AssertionProblems.Enqueue(problem);
        }
    }
}
