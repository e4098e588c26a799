using System.Collections.Immutable;
using System.Text;
using MetaServer.Matchmaking.Engine;
using MetaServer.Matchmaking.Events;
using MetaServer.Matchmaking.Offline;
using MetaServer.Matchmaking.RuleSets;
using MetaServer.Messaging;
using MetaServer.Messaging.Embedded;
using MetaServer.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Matchmaking.Tests.Offline;

/// <summary>Pairs searching tickets in start-time order: the first of a pair on team red, the second on blue.</summary>
internal sealed class PairingBuilder(RuleSet ruleSet) : IMatchBuilder
{
    public RuleSet RuleSet { get; } = ruleSet;

    public Func<IReadOnlyCollection<PoolTicket>, IReadOnlyList<ProposedMatch>>? Override { get; set; }

    public IReadOnlyList<ProposedMatch> FindMatches(IReadOnlyCollection<PoolTicket> searching, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (Override is { } custom)
        {
            return custom(searching);
        }

        var ordered = searching.OrderBy(t => t.StartTime).ThenBy(t => t.TicketId, StringComparer.Ordinal).ToList();
        var result = new List<ProposedMatch>();
        for (var i = 0; i + 1 < ordered.Count; i += 2)
        {
            result.Add(new ProposedMatch(
                [
                    new ProposedTeam("red", [.. ordered[i].Players.Select(p => p.PlayerId)]),
                    new ProposedTeam("blue", [.. ordered[i + 1].Players.Select(p => p.PlayerId)]),
                ],
                [ordered[i].TicketId, ordered[i + 1].TicketId]));
        }

        return result;
    }
}

internal sealed class PairingBuilderFactory : IMatchBuilderFactory
{
    public List<PairingBuilder> Created { get; } = [];

    public IMatchBuilder Create(RuleSet ruleSet)
    {
        var builder = new PairingBuilder(ruleSet);
        Created.Add(builder);
        return builder;
    }
}

/// <summary>An offline matchmaker over the ranked-1v1 sample ("duel") on an embedded transport and a manual clock.</summary>
internal sealed class OfflineHarness
{
    public const string Configuration = "duel";
    public const string Queue = "test-matchmaking-events";

    public OfflineHarness(bool acceptanceRequired, int requestTimeoutSeconds = 60, string? customEventData = null)
    {
        var options = new MatchmakingOptions();
        options.Configurations[Configuration] = new MatchmakingConfigurationOptions
        {
            RuleSetPath = SampleRuleSetTests.SamplePath("ranked-1v1.json"),
            AcceptanceRequired = acceptanceRequired,
            AcceptanceTimeoutSeconds = acceptanceRequired ? 20 : null,
            RequestTimeoutSeconds = requestTimeoutSeconds,
            CustomEventData = customEventData,
        };
        var catalog = MatchmakingCatalog.TryLoad(options, null, out var problems) ?? throw new InvalidOperationException(string.Join("; ", problems));
        Transport = new EmbeddedTransport(Clock);
        Transport.CreateQueueAsync(Queue, new QueueSettings()).AsTask().GetAwaiter().GetResult();
        Matchmaker = new OfflineMatchmaker(catalog, Builders, Transport, Queue, new OfflineMatchmakerOptions(), Clock, NullLogger<OfflineMatchmaker>.Instance);
    }

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 7, 0, 0, TimeSpan.Zero));

    public EmbeddedTransport Transport { get; }

    public PairingBuilderFactory Builders { get; } = new();

    public OfflineMatchmaker Matchmaker { get; }

    public static MatchmakingTicketRequest Ticket(string ticketId, params string[] playerIds) => new(
        ticketId,
        Configuration,
        [.. playerIds.Select(id => new MatchmakingPlayer(id, ImmutableDictionary<string, AttributeValue>.Empty.Add("skill", new NumberAttributeValue(1000)), ImmutableDictionary<string, int>.Empty))]);

    /// <summary>Every event sent so far, in order (the queue holds nothing else; each is parsed back from its JSON body).</summary>
    public async Task<List<MatchmakingEvent>> DrainEventsAsync()
    {
        var events = new List<MatchmakingEvent>();
        while (true)
        {
            var received = await Transport.ReceiveAsync(Queue, new ReceiveOptions { MaxMessages = 10, WaitTime = TimeSpan.Zero }, CancellationToken.None);
            if (received.Count == 0)
            {
                return events;
            }

            foreach (var message in received)
            {
                events.Add(MatchmakingEventParser.Parse(Encoding.UTF8.GetString(message.Body.Span)));
                await Transport.DeleteAsync(Queue, message.ReceiptHandle, CancellationToken.None);
            }
        }
    }
}
