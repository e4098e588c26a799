using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using MetaServer.Accounts.Handlers;
using MetaServer.Matches.Service;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging;

namespace MetaServer.Matches.Handlers;

/// <summary>Decoding and answering shared by the routed matches handlers.</summary>
internal static partial class MatchesReplies
{
    public static bool TryParse<T>(IncomingMessage message, MessageParser<T> parser, bool needsPlayer, TimeProvider timeProvider, ILogger logger,
        [NotNullWhen(true)] out T? payload, out string accountId, out IReadOnlyList<OutgoingMessage> error)
        where T : class, IMessage<T>
    {
        accountId = message.Envelope.PlayerId ?? string.Empty;
        try
        {
            payload = parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodable(logger, message.Envelope.MessageType, message.Envelope.MessageId);
            payload = null;
            error = ClientReplies.Error(message, ResultCode.InvalidArgument, "The request could not be decoded.", timeProvider);
            return false;
        }

        if (needsPlayer && (accountId.Length == 0 || accountId.Length > GetAccountHandler.MaxAccountIdLength))
        {
            payload = null;
            error = ClientReplies.Error(message, ResultCode.NotAuthenticated, "The request needs a logged-in account.", timeProvider);
            return false;
        }

        error = [];
        return true;
    }

    /// <summary>The requester's answer (MatchmakingResponse or the error) plus updates pushed to the other ticket players.</summary>
    /// <param name="reportActivity">Whether the request may have changed the ticket (then the friends service is told the players' activity).</param>
    public static async Task<IReadOnlyList<OutgoingMessage>> AnswerAsync(
        IncomingMessage message, string accountId, FlowOutcome outcome, PlayerPushes pushes, TimeProvider timeProvider, CancellationToken cancellationToken, bool reportActivity = true)
    {
        if (outcome.Code != ResultCode.Ok)
        {
            return ClientReplies.Error(message, outcome.Code, outcome.Message, timeProvider);
        }

        var response = new MatchmakingResponse();
        if (outcome.Ticket is not null)
        {
            response.Status = TicketStatuses.For(outcome.Ticket, accountId, outcome.Match);
        }

        var replies = new List<OutgoingMessage>(ClientReplies.Ok(message, new Envelope { Matchmaking = response }, timeProvider));
        if (outcome.Ticket is not null && outcome.NotifyOthers.Count > 0)
        {
            replies.AddRange(await pushes.UpdatesAsync(outcome.Ticket, outcome.NotifyOthers, outcome.Match, cancellationToken));
        }

        if (outcome.Ticket is not null && reportActivity)
        {
            replies.AddRange(pushes.Activity(outcome.Ticket));
        }

        return replies;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageType} message {MessageId} has a payload that does not decode")]
    private static partial void LogUndecodable(ILogger logger, string messageType, string messageId);
}

/// <summary><c>matches.start-matchmaking</c>: queues the player alone (routed <see cref="StartMatchmakingRequest"/>).</summary>
internal sealed class StartMatchmakingHandler(MatchmakingFlow flow, PlayerPushes pushes, TimeProvider timeProvider, ILogger<StartMatchmakingHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.MatchesStartMatchmaking;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!MatchesReplies.TryParse(message, StartMatchmakingRequest.Parser, true, timeProvider, logger, out var request, out var accountId, out var error))
        {
            return error;
        }

        if (ClientRequestIds.Validate(request.ClientRequestId) is { } invalid)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
        }

        if (request.GameMode.Length == 0)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, "The request names no game mode.", timeProvider);
        }

        var outcome = await flow.StartAsync(
            new StartTicketRequest(accountId, request.ClientRequestId, request.GameMode, null, [new QueueMember(accountId, request.LatencyMs)]),
            cancellationToken);
        return await MatchesReplies.AnswerAsync(message, accountId, outcome, pushes, timeProvider, cancellationToken);
    }
}

/// <summary>
/// <c>matches.start-party-matchmaking</c> (internal, from the party service): queues a party of 1-10 members as one
/// ticket; the leader (first member) is answered, the other members get a <see cref="MatchmakingUpdateEvent"/>.
/// </summary>
internal sealed class StartPartyMatchmakingHandler(MatchmakingFlow flow, PlayerPushes pushes, TimeProvider timeProvider, ILogger<StartPartyMatchmakingHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.MatchesStartPartyMatchmaking;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!MatchesReplies.TryParse(message, StartPartyMatchmakingCommand.Parser, false, timeProvider, logger, out var command, out _, out var error))
        {
            return error;
        }

        if (ClientRequestIds.Validate(command.ClientRequestId) is { } invalid)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, invalid, timeProvider);
        }

        var problem = command switch
        {
            { PartyId.Length: 0 } => "The command names no party.",
            { GameMode.Length: 0 } => "The command names no game mode.",
            { Members.Count: 0 or > MatchmakingFlow.MaxTicketPlayers } => $"A party ticket has 1 to {MatchmakingFlow.MaxTicketPlayers} members.",
            _ when command.Members.Any(m => m.AccountId.Length is 0 or > GetAccountHandler.MaxAccountIdLength) => "A member has no valid account id.",
            _ when command.Members.Select(m => m.AccountId).Distinct(StringComparer.Ordinal).Count() != command.Members.Count => "A member is listed twice.",
            _ => null,
        };
        if (problem is not null)
        {
            return ClientReplies.Error(message, ResultCode.InvalidArgument, problem, timeProvider);
        }

        var leader = command.Members[0].AccountId;
        var outcome = await flow.StartAsync(
            new StartTicketRequest(leader, command.ClientRequestId, command.GameMode, command.PartyId, [.. command.Members.Select(m => new QueueMember(m.AccountId, m.LatencyMs))]),
            cancellationToken);
        return await MatchesReplies.AnswerAsync(message, leader, outcome, pushes, timeProvider, cancellationToken);
    }
}

/// <summary><c>matches.cancel-matchmaking</c>: cancels the player's own ticket (routed <see cref="CancelMatchmakingRequest"/>).</summary>
internal sealed class CancelMatchmakingHandler(MatchmakingFlow flow, PlayerPushes pushes, TimeProvider timeProvider, ILogger<CancelMatchmakingHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.MatchesCancelMatchmaking;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!MatchesReplies.TryParse(message, CancelMatchmakingRequest.Parser, true, timeProvider, logger, out var request, out var accountId, out var error))
        {
            return error;
        }

        var outcome = await flow.CancelAsync(accountId, request.TicketId, cancellationToken);
        return await MatchesReplies.AnswerAsync(message, accountId, outcome, pushes, timeProvider, cancellationToken);
    }
}

/// <summary><c>matches.accept-match</c>: accepts or rejects a proposed match (routed <see cref="AcceptMatchRequest"/>).</summary>
internal sealed class AcceptMatchHandler(MatchmakingFlow flow, PlayerPushes pushes, TimeProvider timeProvider, ILogger<AcceptMatchHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.MatchesAcceptMatch;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!MatchesReplies.TryParse(message, AcceptMatchRequest.Parser, true, timeProvider, logger, out var request, out var accountId, out var error))
        {
            return error;
        }

        var outcome = await flow.AcceptAsync(accountId, request.TicketId, request.Accept, cancellationToken);
        return await MatchesReplies.AnswerAsync(message, accountId, outcome, pushes, timeProvider, cancellationToken);
    }
}

/// <summary><c>matches.get-matchmaking-status</c>: the player's current ticket or match (routed <see cref="GetMatchmakingStatusRequest"/>).</summary>
internal sealed class GetMatchmakingStatusHandler(MatchmakingFlow flow, PlayerPushes pushes, TimeProvider timeProvider, ILogger<GetMatchmakingStatusHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.MatchesGetMatchmakingStatus;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!MatchesReplies.TryParse(message, GetMatchmakingStatusRequest.Parser, true, timeProvider, logger, out _, out var accountId, out var error))
        {
            return error;
        }

        var outcome = await flow.StatusAsync(accountId, cancellationToken);
        return await MatchesReplies.AnswerAsync(message, accountId, outcome, pushes, timeProvider, cancellationToken, reportActivity: false);
    }
}

/// <summary>
/// <c>matches.player-disconnected</c> (internal, from a frontend): cancels the player's QUEUED or SEARCHING ticket
/// when the closed session is still the player's current one, and tells the other players on the ticket.
/// </summary>
internal sealed partial class PlayerDisconnectedHandler(MatchmakingFlow flow, PlayerPushes pushes, ILogger<PlayerDisconnectedHandler> logger) : IMessageHandler
{
    public string MessageType => MessageTypes.MatchesPlayerDisconnected;

    public async ValueTask<IReadOnlyList<OutgoingMessage>> HandleAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        PlayerDisconnectedNotice notice;
        try
        {
            notice = PlayerDisconnectedNotice.Parser.ParseFrom(message.Envelope.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            LogUndecodable(message.Envelope.MessageId);
            return [];
        }

        if (notice.AccountId.Length is 0 or > GetAccountHandler.MaxAccountIdLength || notice.SessionId.Length is 0 or > StorageIds.MaxLength)
        {
            LogUndecodable(message.Envelope.MessageId);
            return [];
        }

        var outcome = await flow.DisconnectedAsync(notice.AccountId, notice.SessionId, cancellationToken);
        return outcome?.Ticket is { } ticket
            ? [.. await pushes.UpdatesAsync(ticket, outcome.NotifyOthers, null, cancellationToken), .. pushes.Activity(ticket)]
            : [];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "matches.player-disconnected message {MessageId} is not a valid notice; dropped")]
    private partial void LogUndecodable(string messageId);
}
