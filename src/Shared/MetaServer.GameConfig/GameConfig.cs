using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace MetaServer.GameConfig;

/// <summary>
/// The designer game config, validated. <see cref="Version"/> is the designers' label; <see cref="Hash"/> identifies
/// the exact file (first 16 hex digits of the SHA-256 of its bytes), so clients know which config they are on.
/// Build one with <see cref="GameConfigLoader"/>.
/// </summary>
public sealed record GameConfig
{
    private readonly FrozenDictionary<string, CurrencyDef> _currencies;
    private readonly FrozenDictionary<string, ItemDef> _items;
    private readonly FrozenDictionary<string, StoreOffer> _offers;
    private readonly FrozenDictionary<string, QuestDef> _quests;
    private readonly FrozenDictionary<string, GameModeDef> _gameModes;
    private readonly FrozenDictionary<string, MatchRewardDef> _matchRewards;
    private readonly FrozenDictionary<string, RealMoneyOffer> _appStoreProducts;
    private readonly FrozenDictionary<string, RealMoneyOffer> _googlePlayProducts;
    private readonly Regex _nicknamePattern;

    public GameConfig(
        string version,
        string hash,
        ImmutableArray<CurrencyDef> currencies,
        ImmutableArray<ItemDef> items,
        StartingGrant starting,
        ImmutableArray<StoreOffer> storeOffers,
        ImmutableArray<QuestDef> quests,
        DailyLoginDef dailyLogin,
        ImmutableArray<GameModeDef> gameModes,
        ImmutableArray<MatchRewardDef> matchRewards,
        LevelCurve levels,
        LimitsDef limits,
        ImmutableArray<RealMoneyOffer> realMoneyOffers = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(starting);
        ArgumentNullException.ThrowIfNull(dailyLogin);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(limits);
        Version = version;
        Hash = hash;
        Currencies = currencies.IsDefault ? [] : currencies;
        Items = items.IsDefault ? [] : items;
        Starting = starting;
        StoreOffers = storeOffers.IsDefault ? [] : storeOffers;
        Quests = quests.IsDefault ? [] : quests;
        DailyLogin = dailyLogin;
        GameModes = gameModes.IsDefault ? [] : gameModes;
        MatchRewards = matchRewards.IsDefault ? [] : matchRewards;
        Levels = levels;
        Limits = limits;
        RealMoneyOffers = realMoneyOffers.IsDefault ? [] : realMoneyOffers;
        _appStoreProducts = RealMoneyOffers
            .Where(o => !string.IsNullOrEmpty(o.AppStoreProductId))
            .ToFrozenDictionary(o => o.AppStoreProductId!, StringComparer.Ordinal);
        _googlePlayProducts = RealMoneyOffers
            .Where(o => !string.IsNullOrEmpty(o.GooglePlayProductId))
            .ToFrozenDictionary(o => o.GooglePlayProductId!, StringComparer.Ordinal);
        _currencies = Currencies.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        _items = Items.ToFrozenDictionary(i => i.Id, StringComparer.Ordinal);
        _offers = StoreOffers.ToFrozenDictionary(o => o.Id, StringComparer.Ordinal);
        _quests = Quests.ToFrozenDictionary(q => q.Id, StringComparer.Ordinal);
        _gameModes = GameModes.ToFrozenDictionary(m => m.Id, StringComparer.Ordinal);
        _matchRewards = MatchRewards.ToFrozenDictionary(m => m.GameMode, StringComparer.Ordinal);
        _nicknamePattern = new Regex(
            "^(?:" + limits.NicknameAllowedPattern + ")$",
            RegexOptions.CultureInvariant,
            TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The designers' version label, e.g. "2026.11.1".</summary>
    public string Version { get; }

    /// <summary>First 16 lowercase hex digits of the SHA-256 of the config file's bytes.</summary>
    public string Hash { get; }

    public ImmutableArray<CurrencyDef> Currencies { get; }

    public ImmutableArray<ItemDef> Items { get; }

    public StartingGrant Starting { get; }

    public ImmutableArray<StoreOffer> StoreOffers { get; }

    public ImmutableArray<QuestDef> Quests { get; }

    public DailyLoginDef DailyLogin { get; }

    public ImmutableArray<GameModeDef> GameModes { get; }

    public ImmutableArray<MatchRewardDef> MatchRewards { get; }

    public LevelCurve Levels { get; }

    public LimitsDef Limits { get; }

    /// <summary>Products sold for real money (App Store, Google Play) and what they grant; empty when none.</summary>
    public ImmutableArray<RealMoneyOffer> RealMoneyOffers { get; }

    public CurrencyDef? FindCurrency(string id) => _currencies.GetValueOrDefault(id);

    public ItemDef? FindItem(string id) => _items.GetValueOrDefault(id);

    public StoreOffer? FindOffer(string id) => _offers.GetValueOrDefault(id);

    /// <summary>The real-money offer sold as App Store product <paramref name="productId"/> (enabled or not), or null.</summary>
    public RealMoneyOffer? FindAppStoreProduct(string productId) => _appStoreProducts.GetValueOrDefault(productId);

    /// <summary>The real-money offer sold as Google Play product <paramref name="productId"/> (enabled or not), or null.</summary>
    public RealMoneyOffer? FindGooglePlayProduct(string productId) => _googlePlayProducts.GetValueOrDefault(productId);

    public QuestDef? FindQuest(string id) => _quests.GetValueOrDefault(id);

    public GameModeDef? FindGameMode(string id) => _gameModes.GetValueOrDefault(id);

    /// <summary>The match rewards of a game mode, or null when the mode gives none.</summary>
    public MatchRewardDef? FindMatchReward(string gameModeId) => _matchRewards.GetValueOrDefault(gameModeId);

    /// <summary>
    /// Checks a nickname against <see cref="Limits"/>: null when allowed, otherwise a plain-language reason.
    /// </summary>
    public string? CheckNickname(string nickname)
    {
        ArgumentNullException.ThrowIfNull(nickname);
        if (nickname.Length < Limits.NicknameMinLength)
        {
            return $"A nickname needs at least {Limits.NicknameMinLength} characters.";
        }

        if (nickname.Length > Limits.NicknameMaxLength)
        {
            return $"A nickname can have at most {Limits.NicknameMaxLength} characters.";
        }

        bool matches;
        try
        {
            matches = _nicknamePattern.IsMatch(nickname);
        }
        catch (RegexMatchTimeoutException)
        {
            matches = false;
        }

        if (!matches)
        {
            return "A nickname can only use the allowed characters.";
        }

        foreach (var denied in Limits.NicknameDenyList)
        {
            if (nickname.Contains(denied, StringComparison.OrdinalIgnoreCase))
            {
                return "That nickname is not allowed.";
            }
        }

        return null;
    }

    /// <summary>Two configs are equal when they come from the same file bytes.</summary>
    public bool Equals(GameConfig? other) =>
        other is not null && string.Equals(Hash, other.Hash, StringComparison.Ordinal) && string.Equals(Version, other.Version, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Hash, Version);
}
