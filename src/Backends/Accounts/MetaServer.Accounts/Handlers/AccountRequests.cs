using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Accounts.Migrations;
using MetaServer.Accounts.Storage;
using MetaServer.Pipelines;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Handlers;

/// <summary>How a handler answers an error: the reply to <paramref name="request"/> carrying the code and plain message.</summary>
/// <param name="accountId">The account concerned when known (an <c>AccountResult</c> reply carries it as player id).</param>
internal delegate IReadOnlyList<OutgoingMessage> ErrorReply(IncomingMessage request, ResultCode code, string message, string? accountId);

/// <summary>The two reply shapes of the accounts handlers.</summary>
internal static class ErrorReplies
{
    /// <summary>Routed client requests: a <c>frontend.client-reply</c> with the error for the player's session.</summary>
    public static ErrorReply Client(TimeProvider timeProvider) =>
        (request, code, message, _) => ClientReplies.Error(request, code, message, timeProvider);

    /// <summary>Internal commands and queries: an <c>accounts.account-result</c> with the error.</summary>
    public static ErrorReply AccountResult(TimeProvider timeProvider) =>
        (request, code, message, accountId) => AccountResultReplies.Error(request, code, message, timeProvider, accountId);
}

/// <summary>
/// Steps every accounts handler shares, each with its error answered through an <see cref="ErrorReply"/>: decoding the
/// payload, checking a routed request's player, lazily migrating the account, and retrying a lost conditional write.
/// </summary>
internal static partial class AccountRequests
{
    /// <summary>
    /// Decodes the payload. A payload that does not parse will never succeed, so instead of throwing (which would
    /// only redeliver it) this logs it and returns an INVALID_ARGUMENT reply in <paramref name="errorReply"/>.
    /// </summary>
    /// <param name="requestName">Names the request in the error ("The login request could not be decoded."), or null.</param>
    public static bool TryParse<T>(
        IncomingMessage message,
        MessageParser<T> parser,
        string? requestName,
        ErrorReply error,
        ILogger logger,
        [NotNullWhen(true)] out T? payload,
        out IReadOnlyList<OutgoingMessage> errorReply)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            payload = parser.ParseFrom(message.Envelope.Payload.Span);
            errorReply = [];
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodablePayload(logger, message.Envelope.MessageType, message.Envelope.MessageId, typeof(T).Name);
            payload = null;
            var what = requestName is null ? "The request" : $"The {requestName} request";
            errorReply = error(message, ResultCode.InvalidArgument, what + " could not be decoded.", null);
            return false;
        }
    }

    /// <summary>
    /// <see cref="TryParse{T}"/> for a routed client request (see <c>ClientRoutes</c>), answered with client replies;
    /// also checks the envelope's player id (the session's account): NOT_AUTHENTICATED without a plausible one.
    /// </summary>
    public static bool TryParseRouted<T>(
        IncomingMessage message,
        MessageParser<T> parser,
        TimeProvider timeProvider,
        ILogger logger,
        [NotNullWhen(true)] out T? payload,
        [NotNullWhen(true)] out string? accountId,
        out IReadOnlyList<OutgoingMessage> errorReply)
        where T : class, IMessage<T>
    {
        accountId = null;
        if (!TryParse(message, parser, null, ErrorReplies.Client(timeProvider), logger, out payload, out errorReply))
        {
            return false;
        }

        var playerId = message.Envelope.PlayerId;
        if (string.IsNullOrEmpty(playerId) || playerId.Length > GetAccountHandler.MaxAccountIdLength)
        {
            payload = null;
            errorReply = ClientReplies.Error(message, ResultCode.NotAuthenticated, "The request needs a logged-in account.", timeProvider);
            return false;
        }

        accountId = playerId;
        return true;
    }

    /// <summary>
    /// <see cref="TryParseRouted{T}"/> for a routed mutation: also checks its client request id (the idempotency key,
    /// see <see cref="ClientRequestIds"/>), INVALID_ARGUMENT when missing or malformed.
    /// </summary>
    public static bool TryParseMutation<T>(
        IncomingMessage message,
        MessageParser<T> parser,
        Func<T, string> clientRequestIdOf,
        TimeProvider timeProvider,
        ILogger logger,
        [NotNullWhen(true)] out T? payload,
        [NotNullWhen(true)] out string? accountId,
        out IReadOnlyList<OutgoingMessage> errorReply)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(clientRequestIdOf);
        if (!TryParseRouted(message, parser, timeProvider, logger, out payload, out accountId, out errorReply))
        {
            return false;
        }

        if (ClientRequestIds.Validate(clientRequestIdOf(payload)) is { } invalid)
        {
            payload = null;
            accountId = null;
            errorReply = ClientReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Runs the lazy migration chain on <paramref name="account"/>. An account written by a newer build is refused
    /// with UNAVAILABLE (and stays untouched); a failing migration with INTERNAL, without internals. Both are logged here.
    /// </summary>
    public static bool TryMigrate(
        AccountMigrator migrator,
        Account account,
        ILogger logger,
        [NotNullWhen(true)] out Account? migrated,
        [NotNullWhen(false)] out MutationOutcome.Refused? refusal)
    {
        ArgumentNullException.ThrowIfNull(migrator);
        ArgumentNullException.ThrowIfNull(account);
        try
        {
            migrated = migrator.Migrate(account);
            refusal = null;
            return true;
        }
        catch (AccountSchemaTooNewException ex)
        {
            LogSchemaTooNew(logger, account.AccountId, ex.SchemaVersion, ex.SupportedSchemaVersion);
            refusal = new MutationOutcome.Refused(ResultCode.Unavailable, "This account was updated by a newer server version; reconnect later.");
        }
        catch (AccountMigrationException ex)
        {
            LogMigrationFailed(logger, ex, account.AccountId);
            refusal = new MutationOutcome.Refused(ResultCode.Internal, "The account could not be loaded.");
        }

        migrated = null;
        return false;
    }

    /// <summary><see cref="TryMigrate(AccountMigrator, Account, ILogger, out Account?, out MutationOutcome.Refused?)"/> with the refusal as a reply.</summary>
    public static bool TryMigrate(
        AccountMigrator migrator,
        Account account,
        IncomingMessage message,
        ErrorReply error,
        ILogger logger,
        [NotNullWhen(true)] out Account? migrated,
        out IReadOnlyList<OutgoingMessage> errorReply)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (TryMigrate(migrator, account, logger, out migrated, out var refusal))
        {
            errorReply = [];
            return true;
        }

        errorReply = error(message, refusal.Code, refusal.Message, account.AccountId);
        return false;
    }

    /// <summary>
    /// After a conditional write lost to a concurrent one on <paramref name="attempt"/>: logs and returns to retry, or,
    /// at <paramref name="maxAttempts"/>, throws <see cref="AccountUpdateConflictException"/> so the message is redelivered.
    /// </summary>
    public static void RetryOrThrow(ILogger logger, string messageType, string accountId, int attempt, int maxAttempts)
    {
        if (attempt >= maxAttempts)
        {
            LogAttemptsExhausted(logger, messageType, accountId, attempt);
            throw new AccountUpdateConflictException(accountId, attempt);
        }

        LogConflict(logger, messageType, accountId, attempt);
    }

    /// <summary>
    /// The client reply to a run of the <see cref="AccountMutationRunner"/>: OK with <see cref="AccountResponse"/> (the
    /// full snapshot and what was granted; for a replay the current snapshot and the first delivery's grant), or the refusal.
    /// </summary>
    public static IReadOnlyList<OutgoingMessage> ClientReply(IncomingMessage message, MutationRun run, GameConfig.GameConfig config, TimeProvider timeProvider) => run switch
    {
        MutationRun.Applied applied => ClientReplies.Ok(
            message,
            new Envelope
            {
                Account = new AccountResponse
                {
                    Account = AccountSnapshots.ToSnapshot(applied.Account, config, timeProvider.GetUtcNow()),
                    Granted = AccountSnapshots.ToGrant(applied.Granted),
                },
            },
            timeProvider),
        MutationRun.Refused refused => ClientReplies.Error(message, refused.Code, refused.Message, timeProvider),
        _ => throw new InvalidOperationException($"Unknown mutation run {run.GetType().Name}."),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} message {MessageId} has a payload that is not a {PayloadType}")]
    private static partial void LogUndecodablePayload(ILogger logger, string messageType, string messageId, string payloadType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} has schema version {SchemaVersion}, newer than this build's {SupportedVersion}; request refused")]
    private static partial void LogSchemaTooNew(ILogger logger, string accountId, int schemaVersion, int supportedVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId} could not be migrated; request refused")]
    private static partial void LogMigrationFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MessageType} on account {AccountId} lost a concurrent write on attempt {Attempt}; retrying")]
    private static partial void LogConflict(ILogger logger, string messageType, string accountId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} on account {AccountId} gave up after {Attempts} conflicting attempts; the message will be redelivered")]
    private static partial void LogAttemptsExhausted(ILogger logger, string messageType, string accountId, int attempts);
}
