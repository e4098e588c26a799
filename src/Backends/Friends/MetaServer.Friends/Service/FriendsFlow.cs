using MetaServer.Protocol.V1;
using Microsoft.Extensions.Options;

namespace MetaServer.Friends.Service;

/// <summary>The changes a player can make to a relation.</summary>
internal enum FriendOp
{
    Send,
    Accept,
    Decline,
    Cancel,
    Remove,
    Block,
    Unblock,
}

/// <summary>The answer to one change: OK with the relation now, or an error; plus the events to push.</summary>
internal sealed record FriendOutcome(ResultCode Code, string Message, string OtherId, FriendRelation Relation, IReadOnlyList<(string Recipient, Envelope Event)> Events)
{
    public static FriendOutcome Error(ResultCode code, string message, string otherId = "") => new(code, message, otherId, FriendRelation.None, []);
}

/// <summary>
/// The relation changes, each a read-decide-write cycle over the two players' graph records with single-item
/// conditional writes (no transactions):
/// <list type="number">
/// <item><description>Read the actor's record. When it lists the operation id as applied, the change is complete:
/// answer again (and push again) without writing.</description></item>
/// <item><description>Read the other player's record and decide on both (errors are decided from both).</description></item>
/// <item><description>Write the OTHER player's side first, then the ACTOR's side together with the operation id.
/// A conflict on either write starts over from step 1.</description></item>
/// </list>
/// A crash between the two writes leaves the actor's record unchanged, so a redelivery (same operation id) decides
/// again, finds the other side already in the wanted state (writing it is a no-op) and completes the actor's side.
/// When a change fails its checks after this invocation already wrote the other side (a concurrent change of the
/// actor's record in between), the other side is put back.
/// </summary>
internal sealed class FriendsFlow(GraphStore graphs, IOptions<FriendsOptions> options, TimeProvider timeProvider)
{
    private sealed record Decision(ResultCode Code, string Message, GraphRecord? Other, GraphRecord? Actor, FriendOp Effective)
    {
        /// <summary>The change ended a friendship (a block of a friend): the other player is told as for a removal.</summary>
        public bool EndsFriendship { get; init; }

        public static Decision Fail(ResultCode code, string message) => new(code, message, null, null, FriendOp.Send);
    }

    private FriendsOptions Limits => options.Value;

    /// <summary>Applies <paramref name="op"/> by <paramref name="actorId"/> on the relation with <paramref name="otherId"/>.</summary>
    public async Task<FriendOutcome> ApplyAsync(FriendOp op, string actorId, string otherId, string opId, CancellationToken cancellationToken)
    {
        if (string.Equals(actorId, otherId, StringComparison.Ordinal))
        {
            return FriendOutcome.Error(ResultCode.InvalidArgument, "You cannot do that with yourself.", otherId);
        }

        var wroteOther = false;
        RelationEntry? otherEntryBefore = null;
        for (var attempt = 0; attempt < Limits.MaxWriteAttempts; attempt++)
        {
            var actor = await graphs.ReadAsync(actorId, cancellationToken);
            if (actor.Record.AppliedOps.Contains(opId))
            {
                return Replay(op, actor.Record, actorId, otherId);
            }

            var other = await graphs.ReadAsync(otherId, cancellationToken);
            if (!wroteOther)
            {
                otherEntryBefore = other.Record.Of(actorId);
            }

            var now = timeProvider.GetUtcNow();
            var decision = Decide(op, actor.Record, other.Record, actorId, otherId, opId, now);
            if (decision.Code != ResultCode.Ok)
            {
                if (wroteOther)
                {
                    await RestoreAsync(otherId, actorId, otherEntryBefore, cancellationToken);
                }

                return FriendOutcome.Error(decision.Code, decision.Message, otherId);
            }

            if (decision.Other is not null)
            {
                if (!await graphs.TryWriteAsync(other, decision.Other, cancellationToken))
                {
                    continue;
                }

                wroteOther = true;
            }

            var actorRecord = decision.Actor!.Applied(opId);
            if (!await graphs.TryWriteAsync(actor, actorRecord, cancellationToken))
            {
                continue;
            }

            return Success(decision.EndsFriendship ? FriendOp.Remove : decision.Effective, actorRecord, actorId, otherId);
        }

        throw new FriendStoreConflictException($"The relation of {actorId} and {otherId} kept changing; giving up for now.");
    }

    private Decision Decide(FriendOp op, GraphRecord a, GraphRecord o, string actorId, string otherId, string opId, DateTimeOffset now)
    {
        var mine = a.Of(otherId) ?? new RelationEntry();
        var theirs = o.Of(actorId);
        switch (op)
        {
            case FriendOp.Send:
                if (mine.Blocked)
                {
                    return Decision.Fail(ResultCode.Blocked, "You blocked this player; unblock them first.");
                }

                if (theirs?.Blocked == true)
                {
                    return Decision.Fail(ResultCode.Blocked, "This player does not accept friend requests from you.");
                }

                switch (mine.Kind)
                {
                    case RelationKind.Friend:
                        return Decision.Fail(ResultCode.AlreadyFriends, "You are already friends.");
                    case RelationKind.Outgoing:
                        return Decision.Fail(ResultCode.FriendRequestPending, "Your request to this player is already pending.");
                    case RelationKind.Incoming:
                        // They asked first: sending back accepts.
                        return Decide(FriendOp.Accept, a, o, actorId, otherId, opId, now);
                    default:
                        break;
                }

                if (a.Count(RelationKind.Friend) >= Limits.MaxFriends)
                {
                    return Decision.Fail(ResultCode.FriendLimitReached, $"You already have {Limits.MaxFriends} friends (the limit).");
                }

                if (a.Count(RelationKind.Outgoing) >= Limits.MaxPendingOutgoing)
                {
                    return Decision.Fail(ResultCode.FriendLimitReached, $"You already have {Limits.MaxPendingOutgoing} pending requests (the limit); cancel some first.");
                }

                var theirIncoming = o.Count(RelationKind.Incoming) - (theirs?.Kind == RelationKind.Incoming ? 1 : 0);
                if (theirIncoming >= Limits.MaxPendingIncoming)
                {
                    return Decision.Fail(ResultCode.FriendLimitReached, "This player has too many pending friend requests.");
                }

                if (o.Count(RelationKind.Friend) - (theirs?.Kind == RelationKind.Friend ? 1 : 0) >= Limits.MaxFriends)
                {
                    return Decision.Fail(ResultCode.FriendLimitReached, "This player's friend list is full.");
                }

                return new Decision(
                    ResultCode.Ok,
                    string.Empty,
                    theirs?.Kind == RelationKind.Incoming ? null : o.With(actorId, (theirs ?? new RelationEntry()) with { Kind = RelationKind.Incoming, Since = now, OpId = opId }),
                    a.With(otherId, mine with { Kind = RelationKind.Outgoing, Since = now, OpId = opId }),
                    FriendOp.Send);

            case FriendOp.Accept:
                if (mine.Kind == RelationKind.Friend)
                {
                    return Decision.Fail(ResultCode.AlreadyFriends, "You are already friends.");
                }

                if (mine.Kind != RelationKind.Incoming || theirs?.Blocked == true)
                {
                    return Decision.Fail(ResultCode.NotFound, "There is no pending friend request from this player.");
                }

                if (a.Count(RelationKind.Friend) >= Limits.MaxFriends)
                {
                    return Decision.Fail(ResultCode.FriendLimitReached, $"You already have {Limits.MaxFriends} friends (the limit).");
                }

                if (o.Count(RelationKind.Friend) - (theirs?.Kind == RelationKind.Friend ? 1 : 0) >= Limits.MaxFriends)
                {
                    return Decision.Fail(ResultCode.FriendLimitReached, "This player's friend list is full.");
                }

                return new Decision(
                    ResultCode.Ok,
                    string.Empty,
                    theirs?.Kind == RelationKind.Friend ? null : o.With(actorId, (theirs ?? new RelationEntry()) with { Kind = RelationKind.Friend, Since = now, OpId = opId }),
                    a.With(otherId, mine with { Kind = RelationKind.Friend, Since = now, OpId = opId }),
                    FriendOp.Accept);

            case FriendOp.Decline:
                return mine.Kind != RelationKind.Incoming
                    ? Decision.Fail(ResultCode.NotFound, "There is no pending friend request from this player.")
                    : new Decision(ResultCode.Ok, string.Empty, Cleared(o, actorId, theirs, RelationKind.Outgoing), a.With(otherId, mine with { Kind = RelationKind.None, OpId = opId }), op);

            case FriendOp.Cancel:
                return mine.Kind != RelationKind.Outgoing
                    ? Decision.Fail(ResultCode.NotFound, "You have no pending friend request to this player.")
                    : new Decision(ResultCode.Ok, string.Empty, Cleared(o, actorId, theirs, RelationKind.Incoming), a.With(otherId, mine with { Kind = RelationKind.None, OpId = opId }), op);

            case FriendOp.Remove:
                return mine.Kind != RelationKind.Friend
                    ? Decision.Fail(ResultCode.NotFound, "This player is not your friend.")
                    : new Decision(ResultCode.Ok, string.Empty, Cleared(o, actorId, theirs, RelationKind.Friend), a.With(otherId, mine with { Kind = RelationKind.None, OpId = opId }), op);

            case FriendOp.Block:
                if (mine.Blocked)
                {
                    return new Decision(ResultCode.Ok, string.Empty, null, a, op);
                }

                if (a.BlockedCount >= Limits.MaxBlocked)
                {
                    return Decision.Fail(ResultCode.FriendLimitReached, $"You already blocked {Limits.MaxBlocked} players (the limit).");
                }

                return new Decision(
                    ResultCode.Ok,
                    string.Empty,
                    theirs is { Kind: not RelationKind.None } ? o.With(actorId, theirs with { Kind = RelationKind.None, OpId = opId }) : null,
                    a.With(otherId, mine with { Kind = RelationKind.None, OpId = opId, Blocked = true, BlockedSince = now }),
                    op)
                {
                    EndsFriendship = mine.Kind == RelationKind.Friend,
                };

            case FriendOp.Unblock:
                return !mine.Blocked
                    ? Decision.Fail(ResultCode.NotFound, "This player is not blocked.")
                    : new Decision(ResultCode.Ok, string.Empty, null, a.With(otherId, mine with { Blocked = false, BlockedSince = null, OpId = opId }), op);

            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown friend operation.");
        }
    }

    /// <summary>The other side with its entry of <paramref name="actorId"/> cleared when it is <paramref name="kind"/>; null when nothing changes.</summary>
    private static GraphRecord? Cleared(GraphRecord o, string actorId, RelationEntry? theirs, RelationKind kind) =>
        theirs?.Kind == kind ? o.With(actorId, theirs with { Kind = RelationKind.None }) : null;

    /// <summary>Puts the other player's entry of the actor back to what it was before this invocation wrote it (one conditional try).</summary>
    private async Task RestoreAsync(string otherId, string actorId, RelationEntry? before, CancellationToken cancellationToken)
    {
        var other = await graphs.ReadAsync(otherId, cancellationToken);
        if (other.Record.Of(actorId) != before)
        {
            await graphs.TryWriteAsync(other, other.Record.With(actorId, before), cancellationToken);
        }
    }

    private static FriendOutcome Success(FriendOp effective, GraphRecord actor, string actorId, string otherId)
    {
        var relation = RelationOf(actor.Of(otherId));
        var events = new List<(string, Envelope)>();
        switch (effective)
        {
            case FriendOp.Send when relation == FriendRelation.Outgoing:
                events.Add((otherId, new Envelope { FriendRequestReceived = new FriendRequestReceivedEvent { From = new FriendEntry { AccountId = actorId, SinceUnixMs = actor.Of(otherId)!.Since.ToUnixTimeMilliseconds() } } }));
                break;
            case FriendOp.Accept when relation == FriendRelation.Friend:
                events.Add((otherId, new Envelope { FriendRequestAccepted = new FriendRequestAcceptedEvent { Friend = new FriendEntry { AccountId = actorId, SinceUnixMs = actor.Of(otherId)!.Since.ToUnixTimeMilliseconds() } } }));
                break;
            case FriendOp.Remove:
                events.Add((otherId, new Envelope { FriendRemoved = new FriendRemovedEvent { AccountId = actorId } }));
                break;
            default:
                break;
        }

        return new FriendOutcome(ResultCode.Ok, string.Empty, otherId, relation, events);
    }

    /// <summary>A redelivered or retried change that is already complete: the same answer, the pushes again.</summary>
    private static FriendOutcome Replay(FriendOp op, GraphRecord actor, string actorId, string otherId)
    {
        var kind = actor.KindOf(otherId);
        var effective = op == FriendOp.Send && kind == RelationKind.Friend ? FriendOp.Accept : op;
        return Success(effective, actor, actorId, otherId);
    }

    public static FriendRelation RelationOf(RelationEntry? entry) => entry switch
    {
        null => FriendRelation.None,
        { Blocked: true } => FriendRelation.Blocked,
        { Kind: RelationKind.Friend } => FriendRelation.Friend,
        { Kind: RelationKind.Incoming } => FriendRelation.Incoming,
        { Kind: RelationKind.Outgoing } => FriendRelation.Outgoing,
        _ => FriendRelation.None,
    };
}
