using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MetaServer.Payments.Verification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Payments.GooglePlay;

/// <summary>
/// Google Play through the Android Publisher API v3:
/// <list type="bullet">
/// <item><see cref="VerifyAsync"/>: <c>purchases.products.get</c>; <c>purchaseState</c> 0 is purchased, 1 (cancelled)
/// and 2 (pending) are NOT_PURCHASED, as are 404/410 and 400 (a token Google does not know); 408/429/5xx, 401/403 and
/// network failures are STORE_UNAVAILABLE. <c>purchaseType</c> 0 (license tester) is <c>Sandbox</c>, absent or any
/// other value <c>Production</c>, checked against the configured environment. The purchase token is the transaction
/// key, <c>obfuscatedExternalAccountId</c> the account binding.</item>
/// <item><see cref="CompleteAsync"/>: <c>purchases.products.acknowledge</c>.</item>
/// <item><see cref="ListAsync"/>: <c>purchases.voidedpurchases.list</c>; <c>voidedReason</c> 7 (chargeback) is a
/// <see cref="StoreRefundKind.Revoke"/>, every other reason a <see cref="StoreRefundKind.Refund"/>.</item>
/// </list>
/// Purchase tokens are never logged.
/// </summary>
public sealed partial class GooglePlayPurchaseVerifier : IPurchaseVerifier, IVoidedPurchasesSource
{
    private readonly GoogleAccessTokenProvider _tokens;
    private readonly IHttpClientFactory _httpClients;
    private readonly TimeProvider _time;
    private readonly GooglePlayOptions _options;
    private readonly ILogger<GooglePlayPurchaseVerifier> _logger;
    private readonly string _applicationUrl;

    public GooglePlayPurchaseVerifier(GoogleAccessTokenProvider tokens, IHttpClientFactory httpClients, TimeProvider time, IOptions<GooglePlayOptions> options, ILogger<GooglePlayPurchaseVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _tokens = tokens;
        _httpClients = httpClients;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _applicationUrl = _options.ApiBaseUrl.TrimEnd('/') + "/androidpublisher/v3/applications/" + Uri.EscapeDataString(_options.PackageName);
    }

    public PurchaseStore Store => PurchaseStore.GooglePlay;

    public async ValueTask<PurchaseVerification> VerifyAsync(PurchaseProof proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (proof.Store != PurchaseStore.GooglePlay)
        {
            return PurchaseVerification.Rejected(VerificationVerdict.Malformed, $"not a Google Play proof ({proof.Store})");
        }

        if (string.IsNullOrWhiteSpace(proof.Receipt) || string.IsNullOrWhiteSpace(proof.ProductId))
        {
            return PurchaseVerification.Rejected(VerificationVerdict.Malformed, "a Google Play proof needs the purchase token and the product id");
        }

        var result = await SendAsync(HttpMethod.Get, ProductUrl(proof.ProductId, proof.Receipt), content: false, cancellationToken);
        if (result.Unavailable is { } unavailable)
        {
            LogUnavailable(_logger, "purchases.products.get", unavailable);
            return PurchaseVerification.Rejected(VerificationVerdict.StoreUnavailable, unavailable);
        }

        if (result.Status is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.BadRequest)
        {
            return PurchaseVerification.Rejected(VerificationVerdict.NotPurchased, $"Google Play does not know this purchase (HTTP {(int)result.Status})");
        }

        if (!TryParse(result.Body, out var purchase))
        {
            LogUnavailable(_logger, "purchases.products.get", "the answer is not a ProductPurchase");
            return PurchaseVerification.Rejected(VerificationVerdict.StoreUnavailable, "Google Play answered something that is not a ProductPurchase");
        }

        var environment = GetInt(purchase, "purchaseType") == 0 ? "Sandbox" : "Production";
        if (environment != _options.Environment)
        {
            return PurchaseVerification.Rejected(VerificationVerdict.WrongEnvironment, $"a {environment} purchase where {_options.Environment} is configured");
        }

        switch (GetInt(purchase, "purchaseState"))
        {
            case 0:
                break;
            case 1:
                return PurchaseVerification.Rejected(VerificationVerdict.NotPurchased, "the purchase was cancelled");
            case 2:
                return PurchaseVerification.Rejected(VerificationVerdict.NotPurchased, "the purchase is pending");
            case { } other:
                return PurchaseVerification.Rejected(VerificationVerdict.NotPurchased, $"unknown purchaseState {other}");
            case null:
                return PurchaseVerification.Rejected(VerificationVerdict.StoreUnavailable, "Google Play answered a purchase without purchaseState");
        }

        var quantity = GetInt(purchase, "quantity") is { } q && q > 0 ? q : 1;
        var purchasedAt = GetMillis(purchase, "purchaseTimeMillis") ?? _time.GetUtcNow();
        var binding = GetString(purchase, "obfuscatedExternalAccountId");
        var verified = new VerifiedPurchase(
            PurchaseStore.GooglePlay,
            proof.Receipt,
            proof.ProductId,
            quantity,
            purchasedAt,
            environment,
            string.IsNullOrEmpty(binding) ? null : binding,
            GetString(purchase, "orderId"));
        return PurchaseVerification.Accepted(verified);
    }

    public async ValueTask CompleteAsync(VerifiedPurchase purchase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(purchase);
        var result = await SendAsync(HttpMethod.Post, ProductUrl(purchase.ProductId, purchase.TransactionKey) + ":acknowledge", content: true, cancellationToken);
        if (result.Unavailable is { } unavailable)
        {
            LogUnavailable(_logger, "purchases.products.acknowledge", unavailable);
            throw new StoreUnavailableException("Google Play acknowledge: " + unavailable);
        }

        if (result.Status is not (HttpStatusCode.OK or HttpStatusCode.NoContent))
        {
            // 400/404/410: nothing Google will ever take (already consumed, unknown); retrying can't help.
            LogAcknowledgeRefused(_logger, (int)result.Status, purchase.OrderId ?? "(no order id)");
        }
    }

    public async ValueTask<VoidedPurchasesPage> ListAsync(DateTimeOffset startTime, string? pageToken, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_applicationUrl)
            .Append("/purchases/voidedpurchases?startTime=")
            .Append(Math.Max(0, startTime.ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(pageToken))
        {
            url.Append("&token=").Append(Uri.EscapeDataString(pageToken));
        }

        var result = await SendAsync(HttpMethod.Get, url.ToString(), content: false, cancellationToken);
        if (result.Unavailable is { } unavailable)
        {
            LogUnavailable(_logger, "purchases.voidedpurchases.list", unavailable);
            throw new StoreUnavailableException("Google Play voided purchases: " + unavailable);
        }

        if (result.Status != HttpStatusCode.OK || !TryParse(result.Body, out var page))
        {
            throw new StoreUnavailableException($"Google Play voided purchases answered HTTP {(int)result.Status} without a list");
        }

        var refunds = new List<StoreRefund>();
        if (page.TryGetProperty("voidedPurchases", out var voided) && voided.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in voided.EnumerateArray())
            {
                if (GetString(entry, "purchaseToken") is not { Length: > 0 } token)
                {
                    continue;
                }

                var kind = GetInt(entry, "voidedReason") == 7 ? StoreRefundKind.Revoke : StoreRefundKind.Refund;
                var at = GetMillis(entry, "voidedTimeMillis") ?? _time.GetUtcNow();
                var sourceId = GetString(entry, "orderId") is { Length: > 0 } orderId
                    ? $"google-voided:{orderId}"
                    : $"google-voided:{at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
                refunds.Add(new StoreRefund(PurchaseStore.GooglePlay, token, kind, at, sourceId));
            }
        }

        var next = page.TryGetProperty("tokenPagination", out var pagination) ? GetString(pagination, "nextPageToken") : null;
        return new VoidedPurchasesPage(refunds, string.IsNullOrEmpty(next) ? null : next);
    }

    private string ProductUrl(string productId, string token) =>
        $"{_applicationUrl}/purchases/products/{Uri.EscapeDataString(productId)}/tokens/{Uri.EscapeDataString(token)}";

    /// <summary>One authorized call; a 401 drops the cached token and tries once more with a fresh one.</summary>
    private async Task<CallResult> SendAsync(HttpMethod method, string url, bool content, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            string accessToken;
            try
            {
                accessToken = await _tokens.GetTokenAsync(cancellationToken);
            }
            catch (StoreUnavailableException e)
            {
                return new CallResult(default, default, e.Message);
            }

            using var request = new HttpRequestMessage(method, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            if (content)
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            var http = _httpClients.CreateClient(GoogleAccessTokenProvider.HttpClientName);
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    _tokens.Invalidate(accessToken);
                    if (attempt == 0)
                    {
                        continue;
                    }
                }

                if (GooglePlayHttp.IsRetryable(response.StatusCode))
                {
                    return new CallResult(response.StatusCode, default, $"Google Play answered HTTP {(int)response.StatusCode}");
                }

                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return new CallResult(response.StatusCode, body, null);
            }
            catch (Exception e) when (GooglePlayHttp.IsTransient(e, cancellationToken))
            {
                return new CallResult(default, default, $"Google Play can't be reached ({e.GetType().Name})");
            }
        }
    }

    private static bool TryParse(ReadOnlyMemory<byte> body, out JsonElement element)
    {
        element = default;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An integer field (Google sends int32 as numbers; tolerate a numeric string).</summary>
    private static int? GetInt(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }

    /// <summary>A time in milliseconds since the epoch (Google sends int64 as strings).</summary>
    private static DateTimeOffset? GetMillis(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        long millis;
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            millis = parsed;
        }
        else if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            millis = number;
        }
        else
        {
            return null;
        }

        return millis is >= 0 and <= 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds(millis) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Google Play: {Operation} unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string operation, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Google Play: acknowledge of order {OrderId} answered HTTP {Status}; not retried")]
    private static partial void LogAcknowledgeRefused(ILogger logger, int status, string orderId);

    private readonly record struct CallResult(HttpStatusCode Status, ReadOnlyMemory<byte> Body, string? Unavailable);
}
