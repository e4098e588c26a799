using System.Collections.Concurrent;
using System.Net.WebSockets;
using MetaServer.Protocol.V1;

namespace MetaServer.Client.Tests;

/// <summary>A tiny protocol-speaking server for CLI tests: device login, token resume, get account.</summary>
public sealed class FakeMetaServer
{
    private readonly ConcurrentDictionary<string, AccountSnapshot> _byDevice = new();
    private readonly ConcurrentDictionary<string, AccountSnapshot> _byToken = new();

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
                default:
                    reply.Result = new Result { Code = ResultCode.InvalidArgument, Message = "unknown payload" };
                    break;
            }

            await connection.SendAsync(reply);
        }
    }

    private AuthResponse Issue(AccountSnapshot account, bool created)
    {
        var token = "token-" + Guid.NewGuid().ToString("N");
        _byToken[token] = account;
        return new AuthResponse { Token = token, TokenExpiresAtUnixMs = 1_790_086_400_000, Created = created, Account = account };
    }
}
