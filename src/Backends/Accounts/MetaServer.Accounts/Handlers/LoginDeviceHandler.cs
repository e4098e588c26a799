using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// A login command of one identity kind: decodes it, checks (or verifies) the identity it names and runs the
/// <see cref="IdentityLoginFlow"/> (find or create, ban check, lazy migration, login stamp, idempotent on
/// redelivery, summary write-through). Answered with <c>accounts.account-result</c>.
/// </summary>
public abstract class IdentityLoginHandler<TCommand> : IMessageHandler
    where TCommand : class, IMessage<TCommand>
{
    private readonly IdentityLoginFlow _flow;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    private protected IdentityLoginHandler(
        IAccountStore store,
        AccountMigrator migrator,
        GameConfig.GameConfig config,
        IOptions<AccountsOptions> options,
        TimeProvider timeProvider,
        ILogger logger,
        IAccountSummaryCache? summaryCache)
    {
        ArgumentNullException.ThrowIfNull(options);
        _flow = new IdentityLoginFlow(store, migrator, config, options.Value.MaxUpdateAttempts, timeProvider, logger, summaryCache);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public abstract string MessageType { get; }

    private protected abstract MessageParser<TCommand> Parser { get; }

    /// <summary>The checked identity the command logs in with, or the error code and plain message.</summary>
    private protected abstract ValueTask<IdentityIds.Resolved> ResolveAsync(TCommand command, CancellationToken cancellationToken);

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParse(message, Parser, "login", ErrorReplies.AccountResult(_timeProvider), _logger, out var command, out var invalidPayload))
        {
            return invalidPayload;
        }

        var resolved = await ResolveAsync(command, cancellationToken);
        if (resolved.Identity is not { } identity)
        {
            return AccountResultReplies.Error(message, resolved.Code, resolved.Message, _timeProvider);
        }

        return await _flow.LoginAsync(message, identity, cancellationToken);
    }
}

/// <summary><c>accounts.login-device</c>: the login of a device id.</summary>
public sealed class LoginDeviceHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LoginDeviceHandler> logger,
    IAccountSummaryCache? summaryCache = null)
    : IdentityLoginHandler<LoginDeviceCommand>(store, migrator, config, options, timeProvider, logger, summaryCache)
{
    public override string MessageType => MessageTypes.AccountsLoginDevice;

    private protected override MessageParser<LoginDeviceCommand> Parser => LoginDeviceCommand.Parser;

    private protected override ValueTask<IdentityIds.Resolved> ResolveAsync(LoginDeviceCommand command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IdentityIds.Device(command.DeviceId));
}

/// <summary><c>accounts.login-custom</c>: the login of a game-chosen custom id (same rules as a device id).</summary>
public sealed class LoginCustomHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LoginCustomHandler> logger,
    IAccountSummaryCache? summaryCache = null)
    : IdentityLoginHandler<LoginCustomCommand>(store, migrator, config, options, timeProvider, logger, summaryCache)
{
    public override string MessageType => MessageTypes.AccountsLoginCustom;

    private protected override MessageParser<LoginCustomCommand> Parser => LoginCustomCommand.Parser;

    private protected override ValueTask<IdentityIds.Resolved> ResolveAsync(LoginCustomCommand command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IdentityIds.Custom(command.CustomId));
}

/// <summary>
/// <c>accounts.login-provider</c>: Sign in with Apple / Google. The id token is verified here
/// (<see cref="Identity.IdTokenVerifier"/>); its subject is the identity.
/// </summary>
public sealed class LoginProviderHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    Identity.IdTokenVerifier verifier,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LoginProviderHandler> logger,
    IAccountSummaryCache? summaryCache = null)
    : IdentityLoginHandler<LoginProviderCommand>(store, migrator, config, options, timeProvider, logger, summaryCache)
{
    public override string MessageType => MessageTypes.AccountsLoginProvider;

    private protected override MessageParser<LoginProviderCommand> Parser => LoginProviderCommand.Parser;

    private protected override async ValueTask<IdentityIds.Resolved> ResolveAsync(LoginProviderCommand command, CancellationToken cancellationToken) =>
        await IdentityIds.VerifyProviderAsync(verifier, command.Provider, command.IdToken, cancellationToken);
}
