using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Identity;
using MetaServer.Protocol.V1;
using IdentityKind = MetaServer.Accounts.Domain.IdentityKind;

namespace MetaServer.Accounts.Handlers;

/// <summary>Turns client identity fields into a checked <see cref="LinkedIdentity"/>, or an error code and plain message.</summary>
internal static class IdentityIds
{
    public readonly record struct Resolved(LinkedIdentity? Identity, ResultCode Code, string Message)
    {
        public static Resolved Ok(LinkedIdentity identity) => new(identity, ResultCode.Ok, string.Empty);

        public static Resolved Fail(ResultCode code, string message) => new(null, code, message);
    }

    /// <summary>Null when valid; custom ids follow the device id rules (1-128 printable ASCII characters).</summary>
    public static string? ValidateCustomId(string? customId) =>
        DeviceIds.Validate(customId)?.Replace("device id", "custom id", StringComparison.Ordinal);

    /// <summary>A device id as an identity, or INVALID_ARGUMENT with the reason.</summary>
    public static Resolved Device(string deviceId) =>
        DeviceIds.Validate(deviceId) is { } problem ? Resolved.Fail(ResultCode.InvalidArgument, problem) : Resolved.Ok(LinkedIdentity.Device(deviceId));

    /// <summary>A custom id as an identity, or INVALID_ARGUMENT with the reason.</summary>
    public static Resolved Custom(string customId) =>
        ValidateCustomId(customId) is { } problem ? Resolved.Fail(ResultCode.InvalidArgument, problem) : Resolved.Ok(new LinkedIdentity(IdentityKind.Custom, customId));

    public static async Task<Resolved> VerifyProviderAsync(IdTokenVerifier verifier, IdentityProvider provider, string idToken, CancellationToken cancellationToken)
    {
        var kind = provider switch
        {
            IdentityProvider.Apple => IdentityKind.Apple,
            IdentityProvider.Google => IdentityKind.Google,
            _ => (IdentityKind?)null,
        };
        if (kind is not { } k)
        {
            return Resolved.Fail(ResultCode.InvalidArgument, "The provider must be Apple or Google.");
        }

        var verification = await verifier.VerifyAsync(k, idToken, cancellationToken);
        return verification.Subject is { } subject
            ? Resolved.Ok(new LinkedIdentity(k, subject))
            : Resolved.Fail(verification.Code, verification.Message);
    }

    /// <summary>The identity an unlink names (kind and id as listed in the snapshot).</summary>
    public static Resolved FromKindAndId(Protocol.V1.IdentityKind kind, string id)
    {
        var domainKind = kind switch
        {
            Protocol.V1.IdentityKind.Device => IdentityKind.Device,
            Protocol.V1.IdentityKind.Custom => IdentityKind.Custom,
            Protocol.V1.IdentityKind.Apple => IdentityKind.Apple,
            Protocol.V1.IdentityKind.Google => IdentityKind.Google,
            _ => (IdentityKind?)null,
        };
        if (domainKind is not { } k)
        {
            return Resolved.Fail(ResultCode.InvalidArgument, "The identity kind is missing or unknown.");
        }

        if (string.IsNullOrEmpty(id) || id.Length > 255)
        {
            return Resolved.Fail(ResultCode.InvalidArgument, "The identity id must have 1 to 255 characters.");
        }

        return Resolved.Ok(new LinkedIdentity(k, id));
    }

    public static Protocol.V1.IdentityKind ToProto(IdentityKind kind) => kind switch
    {
        IdentityKind.Device => Protocol.V1.IdentityKind.Device,
        IdentityKind.Custom => Protocol.V1.IdentityKind.Custom,
        IdentityKind.Apple => Protocol.V1.IdentityKind.Apple,
        IdentityKind.Google => Protocol.V1.IdentityKind.Google,
        _ => Protocol.V1.IdentityKind.Unspecified,
    };
}
