using Google.Protobuf;
using MetaServer.Accounts.Domain;
using MetaServer.Accounts.Economy;
using MetaServer.Protocol;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace MetaServer.Accounts.Handlers;

/// <summary><c>accounts.set-nickname</c>: sets the nickname under the config's rules (length, characters, deny list).</summary>
public sealed class SetNicknameHandler(AccountMutationRunner runner, GameConfig.GameConfig config, TimeProvider timeProvider, ILogger<SetNicknameHandler> logger)
    : RoutedMutationHandler<SetNicknameRequest>(runner, config, timeProvider, logger)
{
    public override string MessageType => MessageTypes.AccountsSetNickname;

    protected override MessageParser<SetNicknameRequest> Parser => SetNicknameRequest.Parser;

    protected override string ClientRequestIdOf(SetNicknameRequest request) => request.ClientRequestId;

    protected override string? Validate(SetNicknameRequest request) => Config.CheckNickname(request.Nickname);

    protected override MutationOutcome Apply(Account account, SetNicknameRequest request, DateTimeOffset now) =>
        AccountRules.SetNickname(account, request.Nickname, Config);
}

/// <summary><c>accounts.set-loadout</c>: equips owned items; empty fields keep the current choice.</summary>
public sealed class SetLoadoutHandler(AccountMutationRunner runner, GameConfig.GameConfig config, TimeProvider timeProvider, ILogger<SetLoadoutHandler> logger)
    : RoutedMutationHandler<SetLoadoutRequest>(runner, config, timeProvider, logger)
{
    public override string MessageType => MessageTypes.AccountsSetLoadout;

    protected override MessageParser<SetLoadoutRequest> Parser => SetLoadoutRequest.Parser;

    protected override string ClientRequestIdOf(SetLoadoutRequest request) => request.ClientRequestId;

    protected override string? Validate(SetLoadoutRequest request) =>
        request.Loadout is null ? "The request has no loadout." : null;

    protected override MutationOutcome Apply(Account account, SetLoadoutRequest request, DateTimeOffset now)
    {
        var l = request.Loadout;
        return AccountRules.SetLoadout(account, new AccountLoadout(l.Hero, l.Primary, l.Secondary, l.Melee, l.Avatar), Config);
    }
}

/// <summary><c>accounts.purchase</c>: buys a store offer at its configured price (see <see cref="AccountRules.Purchase"/>).</summary>
public sealed class PurchaseHandler(AccountMutationRunner runner, GameConfig.GameConfig config, TimeProvider timeProvider, ILogger<PurchaseHandler> logger)
    : RoutedMutationHandler<PurchaseRequest>(runner, config, timeProvider, logger)
{
    public override string MessageType => MessageTypes.AccountsPurchase;

    protected override MessageParser<PurchaseRequest> Parser => PurchaseRequest.Parser;

    protected override string ClientRequestIdOf(PurchaseRequest request) => request.ClientRequestId;

    protected override string? Validate(PurchaseRequest request) => request.OfferId.Length == 0 ? "The request names no offer." : null;

    protected override MutationOutcome Apply(Account account, PurchaseRequest request, DateTimeOffset now) =>
        AccountRules.Purchase(account, request.OfferId, Config);
}

/// <summary><c>accounts.claim-quest</c>: claims a completed quest's reward once.</summary>
public sealed class ClaimQuestHandler(AccountMutationRunner runner, GameConfig.GameConfig config, TimeProvider timeProvider, ILogger<ClaimQuestHandler> logger)
    : RoutedMutationHandler<ClaimQuestRequest>(runner, config, timeProvider, logger)
{
    public override string MessageType => MessageTypes.AccountsClaimQuest;

    protected override MessageParser<ClaimQuestRequest> Parser => ClaimQuestRequest.Parser;

    protected override string ClientRequestIdOf(ClaimQuestRequest request) => request.ClientRequestId;

    protected override string? Validate(ClaimQuestRequest request) => request.QuestId.Length == 0 ? "The request names no quest." : null;

    protected override MutationOutcome Apply(Account account, ClaimQuestRequest request, DateTimeOffset now) =>
        AccountRules.ClaimQuest(account, request.QuestId, Config);
}

/// <summary><c>accounts.claim-daily-reward</c>: claims today's daily login reward (one per login day).</summary>
public sealed class ClaimDailyRewardHandler(AccountMutationRunner runner, GameConfig.GameConfig config, TimeProvider timeProvider, ILogger<ClaimDailyRewardHandler> logger)
    : RoutedMutationHandler<ClaimDailyRewardRequest>(runner, config, timeProvider, logger)
{
    public override string MessageType => MessageTypes.AccountsClaimDailyReward;

    protected override MessageParser<ClaimDailyRewardRequest> Parser => ClaimDailyRewardRequest.Parser;

    protected override string ClientRequestIdOf(ClaimDailyRewardRequest request) => request.ClientRequestId;

    protected override MutationOutcome Apply(Account account, ClaimDailyRewardRequest request, DateTimeOffset now) =>
        AccountRules.ClaimDailyReward(account, now, Config);
}
