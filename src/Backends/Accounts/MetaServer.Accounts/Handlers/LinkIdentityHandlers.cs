using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Accounts.Identity;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// <c>accounts.link-identity</c> (routed <c>LinkRequest</c>): links a device, custom id or provider account to the
/// player's account. Runs through the <see cref="AccountMutationRunner"/> with the request's client request id as its
/// key, in the order of <see cref="IAccountStore"/>: claim the identity, then add it to the account together with the
/// request's record. An identity held by another account answers ALREADY_LINKED; an account at
/// <see cref="AccountsOptions.MaxIdentitiesPerAccount"/> answers FAILED_PRECONDITION.
/// <para>
/// Idempotent by client request id: a recorded id answers OK with the current snapshot and does nothing else (no
/// claim), so a replay of a link arriving after a later unlink does not link again. The same id reused for another
/// request (an unlink, or a link of another identity) is refused with INVALID_ARGUMENT. The request is identified by
/// the identity it links, not by its payload, so a retry with a refreshed provider token is the same request. A new
/// link of an identity the account already lists answers OK (recorded), and restores a claim a crashed link lost.
/// </para>
/// </summary>
public sealed partial class LinkIdentityHandler(
    AccountMutationRunner runner,
    IAccountStore store,
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
        if (!AccountRequests.TryParseMutation(message, LinkRequest.Parser, r => r.ClientRequestId, timeProvider, logger, out var request, out var accountId, out var invalid))
        {
            return invalid;
        }

        var resolved = request.IdentityCase switch
        {
            LinkRequest.IdentityOneofCase.DeviceId => IdentityIds.Device(request.DeviceId),
            LinkRequest.IdentityOneofCase.CustomId => IdentityIds.Custom(request.CustomId),
            LinkRequest.IdentityOneofCase.Provider =>
                await IdentityIds.VerifyProviderAsync(verifier, request.Provider.Provider, request.Provider.IdToken, cancellationToken),
            _ => IdentityIds.Resolved.Fail(ResultCode.InvalidArgument, "Say which identity to link: a device id, a custom id or a provider token."),
        };
        if (resolved.Identity is not { } identity)
        {
            return ClientReplies.Error(message, resolved.Code, resolved.Message, timeProvider);
        }

        var maxIdentities = options.Value.MaxIdentitiesPerAccount;
        var claimed = false;
        var run = await runner.RunAsync(
            new MutationRequest(accountId, request.ClientRequestId, MessageType, ClientRequestIds.Fingerprint(identity)),
            (account, _) => Link(account, identity, maxIdentities),
            new MutationSideEffects
            {
                // Step 1 of a link (see IAccountStore), once per request: for an identity the account already lists it
                // is a no-op or restores a lost claim. A claim whose account write then fails stays; a retry completes it.
                BeforeWrite = async (_, ct) =>
                {
                    if (claimed)
                    {
                        return null;
                    }

                    if (!(await store.ClaimIdentityAsync(identity, accountId, ct)).Claimed)
                    {
                        LogAlreadyLinked(accountId, identity.Kind);
                        return new MutationOutcome.Refused(ResultCode.AlreadyLinked, $"This {LinkedIdentity.Describe(identity.Kind)} is already linked to another account.");
                    }

                    claimed = true;
                    return null;
                },
            },
            cancellationToken);
        if (run is MutationRun.Applied { Replayed: false })
        {
            LogLinked(accountId, identity.Kind);
        }

        return AccountRequests.ClientReply(message, run, config, timeProvider);
    }

    private static MutationOutcome Link(Account account, LinkedIdentity identity, int maxIdentities)
    {
        if (!account.HasIdentity(identity) && account.IdentityCount() >= maxIdentities)
        {
            return MutationOutcome.Refuse(ResultCode.FailedPrecondition, $"An account can have at most {maxIdentities} linked identities; unlink one first.");
        }

        return MutationOutcome.Apply(account.WithIdentity(identity), Granted.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Linked a {Kind} to account {AccountId}")]
    private partial void LogLinked(string accountId, Domain.IdentityKind kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused to link a {Kind} to account {AccountId}: it belongs to another account")]
    private partial void LogAlreadyLinked(string accountId, Domain.IdentityKind kind);
}

/// <summary>
/// <c>accounts.unlink-identity</c> (routed <c>UnlinkRequest</c>): removes an identity from the player's account
/// (together with the request's record, through the <see cref="AccountMutationRunner"/>), then releases its claim
/// (see <see cref="IAccountStore"/>). The last identity of an account cannot be unlinked (FAILED_PRECONDITION).
/// <para>
/// Idempotent by client request id: a recorded id answers OK with the current snapshot and does nothing else; in
/// particular it does not release the claim again, which a later link of the identity may hold. The same id reused for
/// another request is refused with INVALID_ARGUMENT. A new unlink of an identity the account does not list answers OK
/// (recorded) and releases a claim a crashed unlink left.
/// </para>
/// </summary>
public sealed partial class UnlinkIdentityHandler(
    AccountMutationRunner runner,
    IAccountStore store,
    GameConfig.GameConfig config,
    TimeProvider timeProvider,
    ILogger<UnlinkIdentityHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.AccountsUnlinkIdentity;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParseMutation(message, UnlinkRequest.Parser, r => r.ClientRequestId, timeProvider, logger, out var request, out var accountId, out var invalid))
        {
            return invalid;
        }

        var resolved = IdentityIds.FromKindAndId(request.Kind, request.Id);
        if (resolved.Identity is not { } identity)
        {
            return ClientReplies.Error(message, resolved.Code, resolved.Message, timeProvider);
        }

        var run = await runner.RunAsync(
            new MutationRequest(accountId, request.ClientRequestId, MessageType, ClientRequestIds.Fingerprint(identity)),
            (account, _) => Unlink(account, identity),
            new MutationSideEffects
            {
                // Step 2 of an unlink (see IAccountStore): only once the account no longer lists the identity.
                AfterWrite = (_, ct) => store.ReleaseIdentityAsync(identity, accountId, ct),
            },
            cancellationToken);
        if (run is MutationRun.Applied { Replayed: false })
        {
            LogUnlinked(accountId, identity.Kind);
        }

        return AccountRequests.ClientReply(message, run, config, timeProvider);
    }

    private static MutationOutcome Unlink(Account account, LinkedIdentity identity)
    {
        if (account.HasIdentity(identity) && account.IdentityCount() <= 1)
        {
            return MutationOutcome.Refuse(ResultCode.FailedPrecondition, "This is the account's last identity; link another one before unlinking it.");
        }

        return MutationOutcome.Apply(account.WithoutIdentity(identity), Granted.None);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unlinked a {Kind} from account {AccountId}")]
    private partial void LogUnlinked(string accountId, Domain.IdentityKind kind);
}
