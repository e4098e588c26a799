using MetaServer.Storage;

namespace MetaServer.Matches.Storage;

/// <summary>The matches store in process memory (<see cref="InMemoryItemStore"/>): for tests and tools.</summary>
public sealed class InMemoryMatchStore(TimeProvider timeProvider) : InMemoryItemStore(timeProvider), IMatchStore;
