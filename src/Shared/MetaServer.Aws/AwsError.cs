using System.Net;
using System.Text.Json;

namespace MetaServer.Aws;

/// <summary>
/// A failed AWS call as <see cref="AwsJsonClient"/> saw it: the JSON error (<c>__type</c> without its namespace,
/// <c>message</c>), the legacy query error code header, the request id; or, with <see cref="Failure"/> set, a
/// network failure or timeout (<see cref="Code"/> <c>NetworkFailure</c>, status 0) or an unreadable success answer
/// (<c>InvalidResponse</c>, status 200). Each service client maps it to its own typed exception.
/// </summary>
public sealed record AwsError(HttpStatusCode Status, string Code, string? QueryCode, string Message, string? RequestId, Exception? Failure = null)
{
    public const string NetworkFailureCode = "NetworkFailure";

    public bool IsNetworkFailure => Failure is not null && Code == NetworkFailureCode;

    public bool IsRetryable => IsNetworkFailure || AwsRetryPolicy.IsRetryable(Status, Code);

    /// <summary>Reads an error answer; a body that is not JSON (a proxy answered) leaves only the status code.</summary>
    public static AwsError Read(HttpResponseMessage response, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(content);
        string? type = null;
        string? message = null;
        try
        {
            if (content.Length > 0)
            {
                using var doc = JsonDocument.Parse(content);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in doc.RootElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            continue;
                        }

                        if (property.NameEquals("__type") || property.Name.Equals("code", StringComparison.OrdinalIgnoreCase))
                        {
                            type ??= property.Value.GetString();
                        }
                        else if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase))
                        {
                            message ??= property.Value.GetString();
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy or load balancer answered): the status code is all there is.
        }

        string? queryCode = null;
        if (response.Headers.TryGetValues("x-amzn-query-error", out var values))
        {
            var header = values.FirstOrDefault() ?? string.Empty;
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            queryCode = semicolon >= 0 ? header[..semicolon] : header;
        }

        var code = type is null ? null : type[(type.LastIndexOf('#') + 1)..];
        if (string.IsNullOrEmpty(code))
        {
            code = response.StatusCode == HttpStatusCode.TooManyRequests ? "Throttling" : $"Http{(int)response.StatusCode}";
        }

        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        return new AwsError(response.StatusCode, code, queryCode, message ?? response.ReasonPhrase ?? code, requestId);
    }
}
