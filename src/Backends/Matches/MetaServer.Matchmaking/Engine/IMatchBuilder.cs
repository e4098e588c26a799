using System.Collections.Immutable;
using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Engine;

/// <summary>
/// The match-making core of the offline engine for one rule set: given the tickets searching now, it proposes matches
/// that satisfy the rule set (with each rule's expansions applied for the tickets' wait times). Pure and
/// single-threaded: the lifecycle around it (<c>OfflineMatchmaker</c>) owns the ticket pool, acceptance, timeouts and
/// events.
/// </summary>
public interface IMatchBuilder
{
    /// <summary>The rule set this builder evaluates.</summary>
    RuleSet RuleSet { get; }

    /// <summary>
    /// Proposes matches among <paramref name="searching"/> at time <paramref name="now"/>. A ticket appears in at most
    /// one proposal, with all its players on one team; tickets not proposed keep searching.
    /// </summary>
    IReadOnlyList<ProposedMatch> FindMatches(IReadOnlyCollection<PoolTicket> searching, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>Makes the <see cref="IMatchBuilder"/> of a rule set (registered in DI; the offline matchmaker uses it).</summary>
public interface IMatchBuilderFactory
{
    /// <exception cref="RuleSetException">The rule set uses something the builder does not support (names the rule and field).</exception>
    IMatchBuilder Create(RuleSet ruleSet);
}

/// <summary>A searching ticket as the builder sees it. <see cref="StartTime"/> drives expansions (wait time).</summary>
public sealed record PoolTicket(string TicketId, DateTimeOffset StartTime, ImmutableArray<MatchmakingPlayer> Players);

/// <summary>A match the builder proposes: its teams (GameLift team names) and the tickets in it.</summary>
public sealed record ProposedMatch(ImmutableArray<ProposedTeam> Teams, ImmutableArray<string> TicketIds);

/// <summary>One team of a proposal: its name as GameLift reports it in events, and its players.</summary>
public sealed record ProposedTeam(string Name, ImmutableArray<string> PlayerIds);
