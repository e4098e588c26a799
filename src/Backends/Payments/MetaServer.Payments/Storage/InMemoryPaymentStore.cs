using MetaServer.Storage;

namespace MetaServer.Payments.Storage;

/// <summary>The payments store in process memory (<see cref="InMemoryItemStore"/>): for tests and tools.</summary>
public sealed class InMemoryPaymentStore(TimeProvider timeProvider) : InMemoryItemStore(timeProvider), IPaymentStore;
