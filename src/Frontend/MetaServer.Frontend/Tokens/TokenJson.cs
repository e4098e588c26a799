using System.Text.Json.Serialization;

namespace MetaServer.Frontend;

internal sealed record TokenHeader(
    [property: JsonPropertyName("alg")] string? Alg,
    [property: JsonPropertyName("typ")] string? Typ);

internal sealed record TokenClaims(
    [property: JsonPropertyName("sub")] string? Sub,
    [property: JsonPropertyName("iat")] long Iat,
    [property: JsonPropertyName("exp")] long Exp,
    [property: JsonPropertyName("iss")] string? Iss,
    [property: JsonPropertyName("jti")] string? Jti);

[JsonSerializable(typeof(TokenHeader))]
[JsonSerializable(typeof(TokenClaims))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
