using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Pipelines;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Handlers;

/// <summary>
/// A routed client request that changes the account (see <c>ClientRoutes</c>): the payload is the client's request
/// message, the envelope's player id the session's account. Decodes it, checks the client request id and the
/// request's own fields, runs <see cref="Apply"/> through the <see cref="AccountMutationRunner"/> and answers a
/// <c>ClientReply</c>: OK with <see cref="AccountResponse"/> (full snapshot and what was granted), or the error.
/// A retry with the same client request id gets OK with the current snapshot and the first attempt's grant.
/// </summary>
public abstract class RoutedMutationHandler<TRequest> : IMessageHandler
    where TRequest : class, IMessage<TRequest>
{
    private readonly AccountMutationRunner _runner;
    private readonly ILogger _logger;

    protected RoutedMutationHandler(AccountMutationRunner runner, GameConfig.GameConfig config, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _runner = runner;
        Config = config;
        TimeProvider = timeProvider;
        _logger = logger;
    }

    public abstract string MessageType { get; }

    protected GameConfig.GameConfig Config { get; }

    protected TimeProvider TimeProvider { get; }

    protected abstract MessageParser<TRequest> Parser { get; }

    protected abstract string ClientRequestIdOf(TRequest request);

    /// <summary>Checks of the request's own fields (before the account is loaded): null when fine, else the INVALID_ARGUMENT message.</summary>
    protected virtual string? Validate(TRequest request) => null;

    /// <summary>The pure rule applied to the (migrated) account.</summary>
    protected abstract MutationOutcome Apply(Account account, TRequest request, DateTimeOffset now);

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!AccountRequests.TryParseMutation(message, Parser, ClientRequestIdOf, TimeProvider, _logger, out var request, out var accountId, out var invalidRequest))
        {
            return invalidRequest;
        }

        if (Validate(request) is { } invalid)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, invalid, TimeProvider);
        }

        var run = await _runner.RunAsync(
            new MutationRequest(accountId, ClientRequestIdOf(request), MessageType, ClientRequestIds.Fingerprint(message.Envelope.Payload.Span)),
            (account, now) => Apply(account, request, now),
            cancellationToken);
        return AccountRequests.ClientReply(message, run, Config, TimeProvider);
    }
}
