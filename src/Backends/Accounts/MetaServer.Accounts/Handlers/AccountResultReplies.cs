using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Handlers;

/// <summary>Builds <c>accounts.account-result</c> replies.</summary>
internal static class AccountResultReplies
{
    public static IReadOnlyList<OutgoingMessage> Ok(IncomingMessage request, Account account, bool created, GameConfig.GameConfig config, TimeProvider timeProvider)
    {
        var result = new AccountResult
        {
            Result = new Result { Code = ResultCode.Ok },
            Account = AccountSnapshots.ToSnapshot(account, config, timeProvider.GetUtcNow()),
            Created = created,
        };
        return Build(request, result, account.AccountId, timeProvider);
    }

    public static IReadOnlyList<OutgoingMessage> Error(IncomingMessage request, ResultCode code, string message, TimeProvider timeProvider, string? playerId = null)
    {
        var result = new AccountResult { Result = new Result { Code = code, Message = message } };
        return Build(request, result, playerId, timeProvider);
    }

    private static IReadOnlyList<OutgoingMessage> Build(IncomingMessage request, AccountResult result, string? playerId, TimeProvider timeProvider)
    {
        var replies = Replies.To(request, MessageTypes.AccountsAccountResult, result.ToByteArray(), timeProvider);
        if (playerId is null)
        {
            return replies;
        }

        return [.. replies.Select(r => r with { Envelope = r.Envelope with { PlayerId = playerId } })];
    }
}
