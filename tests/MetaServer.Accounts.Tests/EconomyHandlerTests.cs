using Google.Protobuf;
using MetaServer.Accounts.Storage;
using MetaServer.Hosting;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Pipelines;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using MetaServer.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaServer.Accounts.Tests;

/// <summary>The routed mutation handlers and apply-match-result on a SQLite store, through the mutation runner.</summary>
public sealed class EconomyHandlerTests : IDisposable
{
    private readonly HandlerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Purchase_EnoughFunds_OkWithFullUpdatedSnapshotAndGrant()
    {
        var accountId = await _harness.NewAccountAsync();

        var reply = await _harness.PurchaseAsync(accountId, "offer.hero-b");

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        var snapshot = reply.Account.Account;
        Assert.Equal(700, snapshot.Wallet["gold"]);
        Assert.Equal(1, snapshot.Inventory["hero.b"]);
        Assert.Equal(1, snapshot.OfferPurchases["offer.hero-b"]);
        Assert.Equal(2, snapshot.Revision);
        Assert.Equal("test-1", snapshot.ConfigVersion);
        Assert.Equal(_harness.Config.Hash, snapshot.ConfigHash);
        Assert.Equal(1, reply.Account.Granted.Items["hero.b"]);
    }

    [Fact]
    public async Task Purchase_InsufficientFunds_ClearErrorAndNothingChanged()
    {
        var accountId = await _harness.NewAccountAsync();

        var reply = await _harness.PurchaseAsync(accountId, "offer.wolf");

        Assert.Equal(ResultCode.InsufficientFunds, reply.Result.Code);
        Assert.Equal("You need 350 more gems.", reply.Result.Message);
        Assert.Null(reply.Account);
        var stored = await _harness.Store.GetAsync(accountId, CancellationToken.None);
        Assert.Equal(1, stored?.Revision);
        Assert.Equal(50, stored?.Wallet["gems"]);
    }

    [Fact]
    public async Task Purchase_SameMessageDeliveredTwice_GrantedOnceSameAnswer()
    {
        var accountId = await _harness.NewAccountAsync();
        var request = HandlerHarness.RoutedRequest(MessageTypes.AccountsPurchase, new PurchaseRequest { ClientRequestId = "buy-1", OfferId = "offer.gem" }, accountId);

        var first = await _harness.HandleRoutedAsync(request);
        var second = await _harness.HandleRoutedAsync(request);

        Assert.Equal(ResultCode.Ok, first.Result.Code);
        Assert.Equal(first, second);
        Assert.Equal(900, second.Account.Account.Wallet["gold"]);
        Assert.Equal(51, second.Account.Account.Wallet["gems"]);
        var stored = await _harness.Store.GetAsync(accountId, CancellationToken.None);
        Assert.Equal(2, stored?.Revision);
        Assert.Equal(900, stored?.Wallet["gold"]);
    }

    [Fact]
    public async Task Purchase_ClientRetryWithSameIdAfterOtherChanges_AppliedOnceAnswersCurrentSnapshotAndFirstGrant()
    {
        var accountId = await _harness.NewAccountAsync();
        var first = await _harness.PurchaseAsync(accountId, "offer.gem", "buy-1");
        await _harness.PurchaseAsync(accountId, "offer.smg", "buy-2");

        var retry = await _harness.PurchaseAsync(accountId, "offer.gem", "buy-1");

        Assert.Equal(ResultCode.Ok, retry.Result.Code);
        Assert.Equal(first.Account.Granted, retry.Account.Granted);
        Assert.Equal(700, retry.Account.Account.Wallet["gold"]);
        Assert.Equal(3, retry.Account.Account.Revision);
    }

    [Fact]
    public async Task SameClientRequestId_DifferentRequestTypeOrContent_InvalidArgumentAndAppliedOnce()
    {
        var accountId = await _harness.NewAccountAsync();
        await _harness.PurchaseAsync(accountId, "offer.gem", "r-1");

        var nickname = await _harness.HandleRoutedAsync(HandlerHarness.RoutedRequest(
            MessageTypes.AccountsSetNickname, new SetNicknameRequest { ClientRequestId = "r-1", Nickname = "Ace" }, accountId));
        var otherOffer = await _harness.PurchaseAsync(accountId, "offer.smg", "r-1");

        Assert.Equal(ResultCode.InvalidArgument, nickname.Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, otherOffer.Result.Code);
        var stored = await _harness.Store.GetAsync(accountId, CancellationToken.None);
        Assert.Equal(2, stored?.Revision);
        Assert.NotEqual("Ace", stored?.Nickname);
        Assert.Equal(900, stored?.Wallet["gold"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task Purchase_InvalidClientRequestId_InvalidArgumentAndNothingLoaded(string clientRequestId)
    {
        var accountId = await _harness.NewAccountAsync();

        var reply = await _harness.PurchaseAsync(accountId, "offer.gem", clientRequestId);

        Assert.Equal(ResultCode.InvalidArgument, reply.Result.Code);
        Assert.Equal(1, (await _harness.Store.GetAsync(accountId, CancellationToken.None))?.Revision);
    }

    [Fact]
    public async Task RoutedRequest_NoPlayerId_NotAuthenticated()
    {
        var request = HandlerHarness.Request(MessageTypes.AccountsPurchase, new PurchaseRequest { ClientRequestId = "r-1", OfferId = "offer.gem" }.ToByteArray());

        var reply = await _harness.HandleRoutedAsync(request);

        Assert.Equal(ResultCode.NotAuthenticated, reply.Result.Code);
    }

    [Fact]
    public async Task RoutedRequest_UndecodablePayload_InvalidArgument()
    {
        var request = HandlerHarness.Request(MessageTypes.AccountsPurchase, new byte[] { 0xFF, 0xFF, 0xFF }, playerId: "acc-1");

        var reply = await _harness.HandleRoutedAsync(request);

        Assert.Equal(ResultCode.InvalidArgument, reply.Result.Code);
    }

    [Fact]
    public async Task SetNickname_Allowed_StoredAndWrittenThroughToSummaryCache()
    {
        var cache = new EmbeddedAccountSummaryCache(_harness.Clock, TimeSpan.FromHours(1));
        using var harness = new HandlerHarness(summaryCache: cache);
        var accountId = await harness.NewAccountAsync();

        var reply = await harness.HandleRoutedAsync(HandlerHarness.RoutedRequest(
            MessageTypes.AccountsSetNickname, new SetNicknameRequest { ClientRequestId = "n-1", Nickname = "Ace_01" }, accountId));

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal("Ace_01", reply.Account.Account.Nickname);
        Assert.Equal("Ace_01", (await cache.GetAsync(accountId, CancellationToken.None))?.Nickname);
    }

    [Theory]
    [InlineData("xy")]
    [InlineData("no spaces")]
    [InlineData("TheAdmin")]
    public async Task SetNickname_AgainstConfigRules_InvalidArgumentAndUnchanged(string nickname)
    {
        var accountId = await _harness.NewAccountAsync();

        var reply = await _harness.HandleRoutedAsync(HandlerHarness.RoutedRequest(
            MessageTypes.AccountsSetNickname, new SetNicknameRequest { ClientRequestId = "n-1", Nickname = nickname }, accountId));

        Assert.Equal(ResultCode.InvalidArgument, reply.Result.Code);
        Assert.Equal(1, (await _harness.Store.GetAsync(accountId, CancellationToken.None))?.Revision);
    }

    [Fact]
    public async Task SetLoadout_BoughtWeapon_EquippedAndNotOwnedRefused()
    {
        var accountId = await _harness.NewAccountAsync();
        var notOwned = await SetLoadoutAsync(accountId, "l-1", new Loadout { Primary = "weapon.p2" });
        await _harness.PurchaseAsync(accountId, "offer.smg");

        var owned = await SetLoadoutAsync(accountId, "l-2", new Loadout { Primary = "weapon.p2" });

        Assert.Equal(ResultCode.FailedPrecondition, notOwned.Result.Code);
        Assert.Equal("You don't own SMG.", notOwned.Result.Message);
        Assert.Equal(ResultCode.Ok, owned.Result.Code);
        Assert.Equal("weapon.p2", owned.Account.Account.Loadout.Primary);
        Assert.Equal("weapon.s1", owned.Account.Account.Loadout.Secondary);
    }

    [Fact]
    public async Task ApplyMatchResult_ThenClaimQuest_ProgressRewardAndClaimOnce()
    {
        var accountId = await _harness.NewAccountAsync();
        var match = MatchRequest("m-1", accountId, MatchOutcome.Win, ("kills", 12));

        var applied = HandlerHarness.SingleResult(match, await _harness.ApplyMatchResult.HandleAsync(match, CancellationToken.None));
        var claim = await ClaimQuestAsync(accountId, "q-1", "quest.kills-10");
        var again = await ClaimQuestAsync(accountId, "q-2", "quest.kills-10");

        Assert.Equal(ResultCode.Ok, applied.Result.Code);
        Assert.Equal(1100, applied.Account.Wallet["gold"]);
        Assert.Equal(120, applied.Account.Xp);
        Assert.Equal(2, applied.Account.Level);
        var kills = applied.Account.Quests.Single(q => q.QuestId == "quest.kills-10");
        Assert.True(kills.Completed);
        Assert.Equal(10, kills.Progress);
        Assert.Equal(ResultCode.Ok, claim.Result.Code);
        Assert.Equal(5, claim.Account.Granted.Currencies["gems"]);
        Assert.Equal(55, claim.Account.Account.Wallet["gems"]);
        Assert.Equal(ResultCode.FailedPrecondition, again.Result.Code);
    }

    [Fact]
    public async Task ApplyMatchResult_SameMatchRedelivered_AppliedOnceAndEventPushedToOnlinePlayer()
    {
        var transport = new EmbeddedTransport(_harness.Clock);
        var sessions = new EmbeddedSessionRegistry(_harness.Clock);
        var publisher = new PlayerEventPublisher(
            sessions, transport, Options.Create(new MetaServerOptions()), _harness.Clock, NullLogger<PlayerEventPublisher>.Instance);
        using var harness = new HandlerHarness(events: publisher);
        var accountId = await harness.NewAccountAsync();
        await transport.CreateQueueAsync("reply-fe-1", new QueueSettings());
        await sessions.RegisterAsync(new SessionLocation(accountId, "session-9", "fe-1", "reply-fe-1"), TimeSpan.FromMinutes(5));

        var first = MatchRequest("m-1", accountId, MatchOutcome.Loss);
        var redelivery = MatchRequest("m-1", accountId, MatchOutcome.Loss);
        var a = HandlerHarness.SingleResult(first, await harness.ApplyMatchResult.HandleAsync(first, CancellationToken.None));
        var b = HandlerHarness.SingleResult(redelivery, await harness.ApplyMatchResult.HandleAsync(redelivery, CancellationToken.None));

        Assert.Equal(1040, a.Account.Wallet["gold"]);
        Assert.Equal(a.Account, b.Account);
        Assert.Equal(2, (await harness.Store.GetAsync(accountId, CancellationToken.None))?.Revision);
        var pushed = await transport.ReceiveAsync("reply-fe-1", new ReceiveOptions { MaxMessages = 10 });
        Assert.NotEmpty(pushed);
        var envelope = EnvelopeCodec.Decode(pushed[0].Body);
        Assert.Equal(PlayerEventPublisher.ClientEventMessageType, envelope.MessageType);
        Assert.Equal("session-9", envelope.SessionId);
        var clientEvent = Envelope.Parser.ParseFrom(envelope.Payload.Span);
        Assert.Equal(1040, clientEvent.AccountUpdated.Account.Wallet["gold"]);
        Assert.Equal(40, clientEvent.AccountUpdated.Granted.Currencies["gold"]);
    }

    [Fact]
    public async Task ApplyMatchResult_UnknownAccountOrMode_RepliesErrorWithoutThrowing()
    {
        var accountId = await _harness.NewAccountAsync();
        var unknownAccount = MatchRequest("m-1", "nobody", MatchOutcome.Win);
        var unknownMode = MatchRequest("m-2", accountId, MatchOutcome.Win, gameMode: "nope");

        var a = HandlerHarness.SingleResult(unknownAccount, await _harness.ApplyMatchResult.HandleAsync(unknownAccount, CancellationToken.None));
        var b = HandlerHarness.SingleResult(unknownMode, await _harness.ApplyMatchResult.HandleAsync(unknownMode, CancellationToken.None));

        Assert.Equal(ResultCode.NotFound, a.Result.Code);
        Assert.Equal(ResultCode.InvalidArgument, b.Result.Code);
    }

    [Fact]
    public async Task ClaimDailyReward_OncePerLoginDay_NextDayPaysNextCycleReward()
    {
        var accountId = await _harness.NewAccountAsync();
        _harness.Clock.Advance(TimeSpan.FromHours(12)); // 2026-01-01 12:00 UTC; login days start at 04:00.

        var day1 = await ClaimDailyAsync(accountId, "d-1");
        var sameDay = await ClaimDailyAsync(accountId, "d-2");
        _harness.Clock.Advance(TimeSpan.FromHours(16)); // 2026-01-02 04:00: the next login day.
        var day2 = await ClaimDailyAsync(accountId, "d-3");

        Assert.Equal(10, day1.Account.Granted.Currencies["gold"]);
        Assert.False(day1.Account.Account.DailyReward.Claimable);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 4, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), day1.Account.Account.DailyReward.NextClaimableAtUnixMs);
        Assert.Equal(ResultCode.FailedPrecondition, sameDay.Result.Code);
        Assert.Equal(20, day2.Account.Granted.Currencies["gold"]);
        Assert.Equal(1030, day2.Account.Account.Wallet["gold"]);
    }

    [Fact]
    public async Task Purchase_BannedAccount_AccountBannedAndNothingChanged()
    {
        var accountId = await _harness.NewAccountAsync();
        await BanAsync(_harness, accountId);
        var before = await _harness.Store.GetAsync(accountId, CancellationToken.None);

        var purchase = await _harness.PurchaseAsync(accountId, "offer.gem");
        var nickname = await _harness.HandleRoutedAsync(HandlerHarness.RoutedRequest(
            MessageTypes.AccountsSetNickname, new SetNicknameRequest { ClientRequestId = "n-banned", Nickname = "Banned" }, accountId));

        Assert.Equal(ResultCode.AccountBanned, purchase.Result.Code);
        Assert.Equal("This account is banned: cheating. The ban does not expire.", purchase.Result.Message);
        Assert.Equal(ResultCode.AccountBanned, nickname.Result.Code);
        var after = await _harness.Store.GetAsync(accountId, CancellationToken.None);
        Assert.Equal(before!.Revision, after!.Revision);
        Assert.Equal(before.Wallet, after.Wallet);
    }

    [Fact]
    public async Task Purchase_BanStoredWhileInFlight_ReloadRefusesAndNothingApplied()
    {
        var ban = new Domain.AccountBan { Reason = "cheating", BannedAt = TestAccounts.Epoch, Operator = "ops" };
        using var harness = new HandlerHarness(wrapStore: s => new CompetingWriterStore(s, conflicts: 1, a => a with { Ban = ban }));
        var accountId = await harness.NewAccountAsync();

        var purchase = await harness.PurchaseAsync(accountId, "offer.gem");

        Assert.Equal(ResultCode.AccountBanned, purchase.Result.Code);
        var stored = await harness.Store.GetAsync(accountId, CancellationToken.None);
        Assert.NotNull(stored!.Ban);
        Assert.Equal(1000, stored.Wallet["gold"]);
        Assert.Empty(stored.RecentMutations);
    }

    [Fact]
    public async Task Purchase_ReplayedAfterBan_AnswersRecordedResultAndNothingApplied()
    {
        var accountId = await _harness.NewAccountAsync();
        var first = await _harness.PurchaseAsync(accountId, "offer.gem", "buy-before-ban");
        await BanAsync(_harness, accountId);
        var banned = await _harness.Store.GetAsync(accountId, CancellationToken.None);

        var replay = await _harness.PurchaseAsync(accountId, "offer.gem", "buy-before-ban");

        Assert.Equal(ResultCode.Ok, first.Result.Code);
        Assert.Equal(ResultCode.Ok, replay.Result.Code);
        Assert.Equal(first.Account.Granted, replay.Account.Granted);
        Assert.Equal(banned!.Revision, replay.Account.Account.Revision);
        Assert.Equal(banned.Revision, (await _harness.Store.GetAsync(accountId, CancellationToken.None))!.Revision);
    }

    [Fact]
    public async Task ApplyMatchResult_BannedAccount_StillApplied()
    {
        var accountId = await _harness.NewAccountAsync();
        await BanAsync(_harness, accountId);
        var match = MatchRequest("m-banned", accountId, MatchOutcome.Win);

        var applied = HandlerHarness.SingleResult(match, await _harness.ApplyMatchResult.HandleAsync(match, CancellationToken.None));

        Assert.Equal(ResultCode.Ok, applied.Result.Code);
        Assert.Equal(1100, applied.Account.Wallet["gold"]);
    }

    private static async Task BanAsync(HandlerHarness harness, string accountId)
    {
        var ban = await HandlerHarness.CallAsync(harness.Ban, new BanAccountCommand { AccountId = accountId, Reason = "cheating", Operator = "ops-alice", RequestId = "ban-" + accountId });
        Assert.Equal(ResultCode.Ok, ban.Result.Code);
    }

    [Fact]
    public async Task Runner_RecordsBeyondLimit_KeepsOnlyTheNewest()
    {
        using var harness = new HandlerHarness(mutationRecordLimit: 3);
        var accountId = await harness.NewAccountAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ResultCode.Ok, (await harness.PurchaseAsync(accountId, "offer.gem", $"r-{i}")).Result.Code);
        }

        var stored = await harness.Store.GetAsync(accountId, CancellationToken.None);

        Assert.Equal(["r-2", "r-3", "r-4"], stored!.RecentMutations.Select(r => r.RequestKey).ToArray());
        Assert.Equal(6, stored.RecentMutations[^1].RevisionAfter);
    }

    [Fact]
    public async Task Runner_ConflictsOnEveryAttempt_ThrowsSoTheMessageIsRedelivered()
    {
        using var harness = new HandlerHarness(wrapStore: s => new CompetingWriterStore(s, conflicts: 100), maxUpdateAttempts: 3);
        var accountId = await harness.NewAccountAsync();

        await Assert.ThrowsAsync<AccountUpdateConflictException>(() => harness.PurchaseAsync(accountId, "offer.gem"));
    }

    [Fact]
    public async Task Runner_ConcurrentWriteBetweenReadAndWrite_RetriesAndKeepsBothChanges()
    {
        CompetingWriterStore? competing = null;
        using var harness = new HandlerHarness(wrapStore: s => competing = new CompetingWriterStore(s, conflicts: 2));
        var accountId = await harness.NewAccountAsync();

        var reply = await harness.PurchaseAsync(accountId, "offer.gem");

        Assert.Equal(ResultCode.Ok, reply.Result.Code);
        Assert.Equal(2, competing!.CompetingWrites);
        Assert.Equal(competing.CompetingNickname, reply.Account.Account.Nickname);
        Assert.Equal(900, reply.Account.Account.Wallet["gold"]);
    }

    private static IncomingMessage MatchRequest(string matchId, string accountId, MatchOutcome outcome, (string Stat, long Value)? stat = null, string gameMode = "tdm")
    {
        var command = new ApplyMatchResultCommand { MatchId = matchId, AccountId = accountId, GameMode = gameMode, Outcome = outcome };
        if (stat is { } s)
        {
            command.Stats.Add(s.Stat, s.Value);
        }

        return HandlerHarness.Request(MessageTypes.AccountsApplyMatchResult, command.ToByteArray());
    }

    private Task<Envelope> SetLoadoutAsync(string accountId, string clientRequestId, Loadout loadout) =>
        _harness.HandleRoutedAsync(HandlerHarness.RoutedRequest(
            MessageTypes.AccountsSetLoadout, new SetLoadoutRequest { ClientRequestId = clientRequestId, Loadout = loadout }, accountId));

    private Task<Envelope> ClaimQuestAsync(string accountId, string clientRequestId, string questId) =>
        _harness.HandleRoutedAsync(HandlerHarness.RoutedRequest(
            MessageTypes.AccountsClaimQuest, new ClaimQuestRequest { ClientRequestId = clientRequestId, QuestId = questId }, accountId));

    private Task<Envelope> ClaimDailyAsync(string accountId, string clientRequestId) =>
        _harness.HandleRoutedAsync(HandlerHarness.RoutedRequest(
            MessageTypes.AccountsClaimDailyReward, new ClaimDailyRewardRequest { ClientRequestId = clientRequestId }, accountId));
}
