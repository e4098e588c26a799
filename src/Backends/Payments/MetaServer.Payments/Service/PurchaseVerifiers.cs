using MetaServer.Payments.Verification;

namespace MetaServer.Payments.Service;

/// <summary>
/// The registered <see cref="IPurchaseVerifier"/>s by store. A store without a verifier is "not configured": redeeming
/// its purchases answers UNAVAILABLE, never a fake success. Two verifiers for one store fail at construction.
/// </summary>
public sealed class PurchaseVerifiers
{
    private readonly Dictionary<PurchaseStore, IPurchaseVerifier> _byStore = [];

    public PurchaseVerifiers(IEnumerable<IPurchaseVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        foreach (var verifier in verifiers)
        {
            if (!_byStore.TryAdd(verifier.Store, verifier))
            {
                throw new InvalidOperationException($"More than one purchase verifier is registered for {StoreNames.Display(verifier.Store)}.");
            }
        }
    }

    public IPurchaseVerifier? Find(PurchaseStore store) => _byStore.GetValueOrDefault(store);

    public IReadOnlyCollection<PurchaseStore> Configured => _byStore.Keys;
}

/// <summary>Store names in keys, wire enums and messages.</summary>
public static class StoreNames
{
    /// <summary>The store's name in store keys and account purchase keys: <c>apple</c> or <c>google</c>.</summary>
    public static string Key(PurchaseStore store) => store switch
    {
        PurchaseStore.AppStore => "apple",
        PurchaseStore.GooglePlay => "google",
        _ => throw new ArgumentOutOfRangeException(nameof(store), store, "Unknown store."),
    };

    public static string Display(PurchaseStore store) => store switch
    {
        PurchaseStore.AppStore => "the App Store",
        PurchaseStore.GooglePlay => "Google Play",
        _ => "an unknown store",
    };

    public static Protocol.V1.PurchaseStore ToWire(PurchaseStore store) => store switch
    {
        PurchaseStore.AppStore => Protocol.V1.PurchaseStore.AppStore,
        PurchaseStore.GooglePlay => Protocol.V1.PurchaseStore.GooglePlay,
        _ => Protocol.V1.PurchaseStore.Unspecified,
    };

    public static PurchaseStore? FromWire(Protocol.V1.PurchaseStore store) => store switch
    {
        Protocol.V1.PurchaseStore.AppStore => PurchaseStore.AppStore,
        Protocol.V1.PurchaseStore.GooglePlay => PurchaseStore.GooglePlay,
        _ => null,
    };
}
