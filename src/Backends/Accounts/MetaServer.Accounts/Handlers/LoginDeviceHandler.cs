using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.login-device</c>: the login of a device id (see <see cref="IdentityLoginFlow"/>: find or create,
/// ban check, lazy migration, login stamp, idempotent on redelivery, summary write-through).
/// </summary>
public sealed class LoginDeviceHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LoginDeviceHandler> logger,
    IAccountSummaryCache? summaryCache = null) : IMessageHandler
{
    private readonly IdentityLoginFlow _flow = new(store, migrator, config, options.Value.MaxUpdateAttempts, timeProvider, logger, summaryCache);

    public string MessageType => MessageTypes.AccountsLoginDevice;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, LoginDeviceCommand.Parser, "login", timeProvider, logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        if (DeviceIds.Validate(command.DeviceId) is { } invalid)
        {
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
        }

        return await _flow.LoginAsync(message, LinkedIdentity.Device(command.DeviceId), cancellationToken);
    }
}

/// <summary><c>accounts.login-custom</c>: the login of a game-chosen custom id (same rules as a device id; see <see cref="IdentityLoginFlow"/>).</summary>
public sealed class LoginCustomHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LoginCustomHandler> logger,
    IAccountSummaryCache? summaryCache = null) : IMessageHandler
{
    private readonly IdentityLoginFlow _flow = new(store, migrator, config, options.Value.MaxUpdateAttempts, timeProvider, logger, summaryCache);

    public string MessageType => MessageTypes.AccountsLoginCustom;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, LoginCustomCommand.Parser, "login", timeProvider, logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        if (IdentityIds.ValidateCustomId(command.CustomId) is { } invalid)
        {
            return AccountResultReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
        }

        return await _flow.LoginAsync(message, new LinkedIdentity(Domain.IdentityKind.Custom, command.CustomId), cancellationToken);
    }
}

/// <summary>
/// <c>accounts.login-provider</c>: Sign in with Apple / Google. The id token is verified here
/// (<see cref="Identity.IdTokenVerifier"/>); its subject is the identity (see <see cref="IdentityLoginFlow"/>).
/// </summary>
public sealed class LoginProviderHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    Identity.IdTokenVerifier verifier,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LoginProviderHandler> logger,
    IAccountSummaryCache? summaryCache = null) : IMessageHandler
{
    private readonly IdentityLoginFlow _flow = new(store, migrator, config, options.Value.MaxUpdateAttempts, timeProvider, logger, summaryCache);

    public string MessageType => MessageTypes.AccountsLoginProvider;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, LoginProviderCommand.Parser, "login", timeProvider, logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        var verified = await IdentityIds.VerifyProviderAsync(verifier, command.Provider, command.IdToken, cancellationToken);
        if (verified.Identity is not { } identity)
        {
            return AccountResultReplies.Error(message, verified.Code, verified.Message, timeProvider);
        }

        return await _flow.LoginAsync(message, identity, cancellationToken);
    }
}
