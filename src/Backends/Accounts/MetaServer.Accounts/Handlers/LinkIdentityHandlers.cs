using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Identity;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.link-identity</c> (routed <c>LinkRequest</c>): links a device, custom id or provider account to the
/// player's account. Order (see <see cref="IAccountStore"/>): claim the identity, then add it to the account. An identity
/// held by another account answers ALREADY_LINKED. Idempotent: an identity already linked to this account answers OK
/// with the current snapshot (and completes a link that crashed after its claim).
/// </summary>
public sealed partial class LinkIdentityHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IdTokenVerifier verifier,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<LinkIdentityHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.AccountsLinkIdentity;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!RoutedRequests.TryParse(message, LinkRequest.Parser, timeProvider, logger, out var request, out var invalid))
        {
            return invalid;
        }

        var resolved = request.IdentityCase switch
        {
            LinkRequest.IdentityOneofCase.DeviceId => DeviceIds.Validate(request.DeviceId) is { } bad
                ? IdentityIds.Resolved.Fail(ResultCode.InvalidArgument, bad)
                : IdentityIds.Resolved.Ok(LinkedIdentity.Device(request.DeviceId)),
            LinkRequest.IdentityOneofCase.CustomId => IdentityIds.ValidateCustomId(request.CustomId) is { } bad
                ? IdentityIds.Resolved.Fail(ResultCode.InvalidArgument, bad)
                : IdentityIds.Resolved.Ok(new LinkedIdentity(Domain.IdentityKind.Custom, request.CustomId)),
            LinkRequest.IdentityOneofCase.Provider =>
                await IdentityIds.VerifyProviderAsync(verifier, request.Provider.Provider, request.Provider.IdToken, cancellationToken),
            _ => IdentityIds.Resolved.Fail(ResultCode.InvalidArgument, "Say which identity to link: a device id, a custom id or a provider token."),
        };
        if (resolved.Identity is not { } identity)
        {
            return ClientReplies.Error(message, resolved.Code, resolved.Message, timeProvider);
        }

        var accountId = message.Envelope.PlayerId!;
        var now = timeProvider.GetUtcNow();
        var claimed = false;
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.GetAsync(accountId, cancellationToken);
            if (account is null)
            {
                return ClientReplies.Error(message, ResultCode.NotFound, "The account does not exist.", timeProvider);
            }

            if (account.ActiveBan(now) is { } ban)
            {
                return ClientReplies.Error(message, ResultCode.AccountBanned, AccountIdentityExtensions.BannedMessage(ban), timeProvider);
            }

            if (!RoutedRequests.TryMigrate(migrator, account, message, timeProvider, logger, out var migrated, out var migrationFailed))
            {
                return migrationFailed;
            }

            if (!account.HasIdentity(identity) && account.IdentityCount() >= options.Value.MaxIdentitiesPerAccount)
            {
                return ClientReplies.Error(
                    message, ResultCode.FailedPrecondition, $"An account can have at most {options.Value.MaxIdentitiesPerAccount} linked identities; unlink one first.", timeProvider);
            }

            if (!claimed)
            {
                // Also run for an identity the account already lists: a no-op, or it restores a lost claim.
                var claim = await store.ClaimIdentityAsync(identity, accountId, cancellationToken);
                if (!claim.Claimed)
                {
                    LogAlreadyLinked(accountId, identity.Kind);
                    return ClientReplies.Error(
                        message, ResultCode.AlreadyLinked, $"This {LinkedIdentity.Describe(identity.Kind)} is already linked to another account.", timeProvider);
                }

                claimed = true;
            }

            if (account.HasIdentity(identity) && ReferenceEquals(migrated, account))
            {
                return RoutedRequests.Snapshot(message, account, config, timeProvider);
            }

            var update = await store.TryUpdateAsync(migrated.WithIdentity(identity), account.Revision, cancellationToken);
            if (update is { Succeeded: true, Account: { } stored })
            {
                LogLinked(accountId, identity.Kind);
                return RoutedRequests.Snapshot(message, stored, config, timeProvider);
            }

            if (attempt >= options.Value.MaxUpdateAttempts)
            {
                // The claim stays: a retry of this link finds it and completes the link.
                throw new AccountUpdateConflictException(accountId, attempt);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Linked a {Kind} to account {AccountId}")]
    private partial void LogLinked(string accountId, Domain.IdentityKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused to link a {Kind} to account {AccountId}: it belongs to another account")]
    private partial void LogAlreadyLinked(string accountId, Domain.IdentityKind kind);
}

/// <summary>
/// <c>accounts.unlink-identity</c> (routed <c>UnlinkRequest</c>): removes an identity from the player's account, then
/// releases its claim. The last identity of an account cannot be unlinked (FAILED_PRECONDITION). Idempotent: an
/// identity the account no longer lists answers OK with the current snapshot (and releases a claim a crashed unlink left).
/// </summary>
public sealed partial class UnlinkIdentityHandler(
    IAccountStore store,
    AccountMigrator migrator,
    GameConfig.GameConfig config,
    IOptions<AccountsOptions> options,
    TimeProvider timeProvider,
    ILogger<UnlinkIdentityHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.AccountsUnlinkIdentity;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!RoutedRequests.TryParse(message, UnlinkRequest.Parser, timeProvider, logger, out var request, out var invalid))
        {
            return invalid;
        }

        var resolved = IdentityIds.FromKindAndId(request.Kind, request.Id);
        if (resolved.Identity is not { } identity)
        {
            return ClientReplies.Error(message, resolved.Code, resolved.Message, timeProvider);
        }

        var accountId = message.Envelope.PlayerId!;
        var now = timeProvider.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var account = await store.GetAsync(accountId, cancellationToken);
            if (account is null)
            {
                return ClientReplies.Error(message, ResultCode.NotFound, "The account does not exist.", timeProvider);
            }

            if (account.ActiveBan(now) is { } ban)
            {
                return ClientReplies.Error(message, ResultCode.AccountBanned, AccountIdentityExtensions.BannedMessage(ban), timeProvider);
            }

            if (!RoutedRequests.TryMigrate(migrator, account, message, timeProvider, logger, out var migrated, out var migrationFailed))
            {
                return migrationFailed;
            }

            if (!account.HasIdentity(identity))
            {
                // Already unlinked (or never linked): release a claim a crashed unlink may have left.
                await store.ReleaseIdentityAsync(identity, accountId, cancellationToken);
                return RoutedRequests.Snapshot(message, account, config, timeProvider);
            }

            if (account.IdentityCount() <= 1)
            {
                return ClientReplies.Error(
                    message, ResultCode.FailedPrecondition, "This is the account's last identity; link another one before unlinking it.", timeProvider);
            }

            var update = await store.TryUpdateAsync(migrated.WithoutIdentity(identity), account.Revision, cancellationToken);
            if (update is { Succeeded: true, Account: { } stored })
            {
                await store.ReleaseIdentityAsync(identity, accountId, cancellationToken);
                LogUnlinked(accountId, identity.Kind);
                return RoutedRequests.Snapshot(message, stored, config, timeProvider);
            }

            if (attempt >= options.Value.MaxUpdateAttempts)
            {
                throw new AccountUpdateConflictException(accountId, attempt);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unlinked a {Kind} from account {AccountId}")]
    private partial void LogUnlinked(string accountId, Domain.IdentityKind kind);
}
