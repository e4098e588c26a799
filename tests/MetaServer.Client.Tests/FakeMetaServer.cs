using System.Collections.Concurrent;
using System.Net.WebSockets;
using MetaServer.Protocol.V1;

namespace MetaServer.Client.Tests;

/// <summary>
/// A tiny protocol-speaking server for CLI tests: device login, token resume, get account; matchmaking (a ticket per
/// account that goes QUEUED, then SEARCHING and REQUIRES_ACCEPTANCE as pushed events, PLACING and COMPLETED once
/// accepted) and a fixed leaderboard.
/// </summary>
public sealed class FakeMetaServer
{
    private readonly ConcurrentDictionary<string, AccountSnapshot> _byDevice = new();
    private readonly ConcurrentDictionary<string, AccountSnapshot> _byToken = new();
    private readonly ConcurrentDictionary<string, MatchmakingStatus> _tickets = new();

    /// <summary>The last leaderboard request received.</summary>
    public GetLeaderboardRequest? LastLeaderboardRequest { get; private set; }

    /// <summary>The last matchmaking start received.</summary>
    public StartMatchmakingRequest? LastStart { get; private set; }

    public async Task ServeAsync(ServerConnection connection)
    {
        AccountSnapshot? session = null;
        while (connection.Socket.State == WebSocketState.Open)
        {
            byte[] bytes;
            WebSocketMessageType type;
            try
            {
                (bytes, type) = await connection.ReceiveRawAsync();
            }
            catch (WebSocketException)
            {
                return;
            }

            if (type == WebSocketMessageType.Close)
            {
                if (connection.Socket.State == WebSocketState.CloseReceived)
                {
                    await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }

                return;
            }

            var request = Envelope.Parser.ParseFrom(bytes);
            var reply = new Envelope { RequestId = request.RequestId, Result = new Result { Code = ResultCode.Ok } };
            switch (request.PayloadCase)
            {
                case Envelope.PayloadOneofCase.AuthDevice:
                    var created = false;
                    var account = _byDevice.GetOrAdd(request.AuthDevice.DeviceId, device =>
                    {
                        created = true;
                        return new AccountSnapshot
                        {
                            AccountId = "acc-" + _byDevice.Count,
                            Nickname = "Player",
                            CreatedAtUnixMs = 1_790_000_000_000,
                            LastLoginAtUnixMs = 1_790_000_000_000,
                            Revision = 1,
                            DeviceIds = { device },
                        };
                    });
                    session = account;
                    reply.Auth = Issue(account, created);
                    break;
                case Envelope.PayloadOneofCase.AuthToken when _byToken.TryGetValue(request.AuthToken.Token, out var resumed):
                    session = resumed;
                    reply.Auth = Issue(resumed, created: false);
                    break;
                case Envelope.PayloadOneofCase.AuthToken:
                    reply.Result = new Result { Code = ResultCode.InvalidToken, Message = "token signature is not valid" };
                    break;
                case Envelope.PayloadOneofCase.GetAccount when session is not null:
                    reply.Account = new AccountResponse { Account = session };
                    break;
                case Envelope.PayloadOneofCase.GetAccount:
                    reply.Result = new Result { Code = ResultCode.NotAuthenticated, Message = "log in first" };
                    break;
                case Envelope.PayloadOneofCase.StartMatchmaking when session is not null:
                    LastStart = request.StartMatchmaking;
                    if (_tickets.TryGetValue(session.AccountId, out var queued) && queued.State is not (MatchmakingState.Cancelled or MatchmakingState.Completed))
                    {
                        reply.Result = new Result { Code = ResultCode.AlreadyQueued, Message = $"ticket {queued.TicketId} has not ended" };
                        break;
                    }

                    var ticket = new MatchmakingStatus
                    {
                        TicketId = "ticket-" + request.StartMatchmaking.ClientRequestId,
                        GameMode = request.StartMatchmaking.GameMode,
                        State = MatchmakingState.Queued,
                        Players = { new TicketPlayer { AccountId = session.AccountId, Nickname = session.Nickname } },
                    };
                    _tickets[session.AccountId] = ticket;
                    reply.Matchmaking = new MatchmakingResponse { Status = ticket };
                    await connection.SendAsync(reply);
                    await PushAsync(connection, session.AccountId, MatchmakingState.Searching);
                    await PushAsync(connection, session.AccountId, MatchmakingState.RequiresAcceptance);
                    continue;
                case Envelope.PayloadOneofCase.AcceptMatch when session is not null && _tickets.TryGetValue(session.AccountId, out var proposed)
                    && proposed.TicketId == request.AcceptMatch.TicketId && proposed.State == MatchmakingState.RequiresAcceptance:
                    proposed = proposed.Clone();
                    proposed.Players[0].Accepted = request.AcceptMatch.Accept;
                    _tickets[session.AccountId] = proposed;
                    reply.Matchmaking = new MatchmakingResponse { Status = proposed };
                    await connection.SendAsync(reply);
                    if (request.AcceptMatch.Accept)
                    {
                        await PushAsync(connection, session.AccountId, MatchmakingState.Placing);
                        await PushAsync(connection, session.AccountId, MatchmakingState.Completed);
                    }
                    else
                    {
                        await PushAsync(connection, session.AccountId, MatchmakingState.Cancelled);
                    }

                    continue;
                case Envelope.PayloadOneofCase.AcceptMatch:
                    reply.Result = new Result { Code = ResultCode.FailedPrecondition, Message = "no match to accept" };
                    break;
                case Envelope.PayloadOneofCase.CancelMatchmaking when session is not null && _tickets.TryGetValue(session.AccountId, out var cancelled)
                    && cancelled.TicketId == request.CancelMatchmaking.TicketId:
                    cancelled = cancelled.Clone();
                    cancelled.State = MatchmakingState.Cancelled;
                    cancelled.Reason = "cancelled by the player";
                    _tickets[session.AccountId] = cancelled;
                    reply.Matchmaking = new MatchmakingResponse { Status = cancelled };
                    break;
                case Envelope.PayloadOneofCase.CancelMatchmaking:
                    reply.Result = new Result { Code = ResultCode.NotFound, Message = "no such ticket" };
                    break;
                case Envelope.PayloadOneofCase.GetMatchmakingStatus when session is not null:
                    reply.Matchmaking = new MatchmakingResponse { Status = _tickets.TryGetValue(session.AccountId, out var current) ? current : null };
                    break;
                case Envelope.PayloadOneofCase.GetLeaderboard when session is not null:
                    LastLeaderboardRequest = request.GetLeaderboard;
                    var me = new LeaderboardEntry { Rank = 7, AccountId = session.AccountId, Nickname = session.Nickname, Score = 1234 };
                    reply.Leaderboard = new LeaderboardResponse
                    {
                        Leaderboard = "rating",
                        Season = "2026-11",
                        Total = 42,
                        Me = me,
                        Entries =
                        {
                            new LeaderboardEntry { Rank = 1, AccountId = "acc-top", Nickname = "Champion", Score = 2400 },
                            new LeaderboardEntry { Rank = 2, AccountId = "acc-second", Nickname = "Runner", Score = 2300 },
                        },
                    };
                    break;
                default:
                    reply.Result = new Result { Code = ResultCode.InvalidArgument, Message = "unknown payload" };
                    break;
            }

            await connection.SendAsync(reply);
        }
    }

    private async Task PushAsync(ServerConnection connection, string accountId, MatchmakingState state)
    {
        var status = _tickets[accountId].Clone();
        status.State = state;
        if (state == MatchmakingState.RequiresAcceptance)
        {
            status.AcceptanceDeadlineUnixMs = 1_790_000_030_000;
        }

        if (state is MatchmakingState.Placing or MatchmakingState.Completed)
        {
            status.Assignment = new MatchAssignment { MatchId = "match-1", Map = "harbor", Team = "red" };
        }

        _tickets[accountId] = status;
        await connection.SendAsync(new Envelope { MatchmakingUpdate = new MatchmakingUpdateEvent { Status = status } });
    }

    private AuthResponse Issue(AccountSnapshot account, bool created)
    {
        var token = "token-" + Guid.NewGuid().ToString("N");
        _byToken[token] = account;
        return new AuthResponse { Token = token, TokenExpiresAtUnixMs = 1_790_086_400_000, Created = created, Account = account };
    }
}
