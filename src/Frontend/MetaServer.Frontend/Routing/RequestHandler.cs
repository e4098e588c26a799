using Google.Protobuf;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Frontend;

/// <summary>The reply to a client request, and the account the session is authenticated as afterwards (auth only).</summary>
internal readonly record struct HandledRequest(Envelope Reply, string? AuthenticatedAccountId);

/// <summary>Turns an accepted client request into backend calls and the backend answer into the client reply.</summary>
internal sealed class RequestHandler(BackendGateway gateway, SessionTokenService tokens, ILogger<RequestHandler> logger) : ISessionRequestHandler
{
    public async Task<HandledRequest> HandleAsync(RequestKind kind, Envelope request, string sessionId, string? accountId, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case RequestKind.AuthDevice:
            {
                var call = await gateway.CallAsync(
                    MessageTypes.AccountsLoginDevice,
                    new LoginDeviceCommand { DeviceId = request.AuthDevice.DeviceId },
                    sessionId,
                    playerId: null,
                    cancellationToken);
                return AuthReply(request.RequestId, call, sessionId, expectedAccountId: null);
            }

            case RequestKind.AuthToken:
            {
                var validation = tokens.Validate(request.AuthToken.Token);
                if (!validation.IsValid)
                {
                    Log.TokenRefused(logger, sessionId, validation.Failure);
                    return new HandledRequest(Error(request.RequestId, ResultCode.InvalidToken, TokenMessage(validation.Failure)), null);
                }

                var call = await gateway.CallAsync(
                    MessageTypes.AccountsGetAccount,
                    new GetAccountQuery { AccountId = validation.AccountId },
                    sessionId,
                    validation.AccountId,
                    cancellationToken);
                return AuthReply(request.RequestId, call, sessionId, validation.AccountId);
            }

            case RequestKind.GetAccount:
            {
                var call = await gateway.CallAsync(
                    MessageTypes.AccountsGetAccount,
                    new GetAccountQuery { AccountId = accountId ?? string.Empty },
                    sessionId,
                    accountId,
                    cancellationToken);
                if (ParseAccountResult(call) is not { } result)
                {
                    return new HandledRequest(Error(request.RequestId, call), null);
                }

                var reply = new Envelope { RequestId = request.RequestId, Result = result.Result ?? new Result() };
                if (reply.Result.Code == ResultCode.Ok)
                {
                    if (result.Account is null)
                    {
                        return new HandledRequest(Error(request.RequestId, ResultCode.Internal, "internal error"), null);
                    }

                    reply.Account = new AccountResponse { Account = result.Account };
                }

                return new HandledRequest(reply, null);
            }

            case RequestKind.Routed:
                return new HandledRequest(await RoutedAsync(request, sessionId, accountId, cancellationToken), null);

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown request kind.");
        }
    }

    /// <summary>Forwards a routed request to its service and turns its <c>ClientReply</c> into the client reply.</summary>
    private async Task<Envelope> RoutedAsync(Envelope request, string sessionId, string? accountId, CancellationToken cancellationToken)
    {
        var messageType = ClientRoutes.MessageTypeOf(request.PayloadCase)
            ?? throw new ArgumentException("The request is not a routed request.", nameof(request));
        var call = await gateway.CallAsync(messageType, ClientRoutes.PayloadOf(request), sessionId, accountId, cancellationToken);
        if (call.Code != ResultCode.Ok || call.Reply is not { } backendReply)
        {
            return Error(request.RequestId, call);
        }

        Envelope? reply = null;
        if (string.Equals(backendReply.MessageType, MessageTypes.FrontendClientReply, StringComparison.Ordinal))
        {
            try
            {
                reply = ClientReply.Parser.ParseFrom(backendReply.Payload.Span).Envelope;
            }
            catch (InvalidProtocolBufferException)
            {
                reply = null;
            }
        }

        if (reply?.Result is null)
        {
            Log.UnexpectedServiceReply(logger, messageType, backendReply.MessageType);
            return Error(request.RequestId, ResultCode.Internal, "internal error");
        }

        reply.RequestId = request.RequestId;
        return reply;
    }

    private HandledRequest AuthReply(ulong requestId, BackendCall call, string sessionId, string? expectedAccountId)
    {
        if (ParseAccountResult(call) is not { } result)
        {
            return new HandledRequest(Error(requestId, call), null);
        }

        var code = result.Result?.Code ?? ResultCode.Ok;
        if (code != ResultCode.Ok)
        {
            // A token whose account is gone is as good as an invalid token.
            if (expectedAccountId is not null && code == ResultCode.NotFound)
            {
                return new HandledRequest(Error(requestId, ResultCode.InvalidToken, "the token's account does not exist"), null);
            }

            return new HandledRequest(new Envelope { RequestId = requestId, Result = result.Result }, null);
        }

        var account = result.Account;
        if (account is null || account.AccountId.Length == 0
            || (expectedAccountId is not null && !string.Equals(account.AccountId, expectedAccountId, StringComparison.Ordinal)))
        {
            return new HandledRequest(Error(requestId, ResultCode.Internal, "internal error"), null);
        }

        var token = tokens.Issue(account.AccountId);
        Log.SessionAuthenticated(logger, sessionId, account.AccountId);
        var reply = new Envelope
        {
            RequestId = requestId,
            Result = new Result { Code = ResultCode.Ok },
            Auth = new AuthResponse
            {
                Token = token.Token,
                TokenExpiresAtUnixMs = token.ExpiresAt.ToUnixTimeMilliseconds(),
                Created = result.Created,
                Account = account,
            },
        };
        return new HandledRequest(reply, account.AccountId);
    }

    /// <summary>The backend's AccountResult, or null when the call failed or the reply is not one.</summary>
    private static AccountResult? ParseAccountResult(BackendCall call)
    {
        if (call.Code != ResultCode.Ok || call.Reply is not { } reply)
        {
            return null;
        }

        if (!string.Equals(reply.MessageType, MessageTypes.AccountsAccountResult, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return AccountResult.Parser.ParseFrom(reply.Payload.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static Envelope Error(ulong requestId, BackendCall call) =>
        call.Code == ResultCode.Ok
            ? Error(requestId, ResultCode.Internal, "internal error")
            : Error(requestId, call.Code, call.Message);

    internal static Envelope Error(ulong requestId, ResultCode code, string message) =>
        new() { RequestId = requestId, Result = new Result { Code = code, Message = message } };

    private static string TokenMessage(TokenFailure failure) => failure switch
    {
        TokenFailure.Expired => "the token has expired",
        _ => "the token is not valid",
    };
}
