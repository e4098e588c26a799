using System.ComponentModel.DataAnnotations;

namespace MetaServer.Payments;

/// <summary>How a refund treats currency the player already spent (<c>MetaServer:Payments:Clawback:Policy</c>).</summary>
public enum ClawbackPolicyOption
{
    /// <summary>Balance floored at 0, the missing amount recorded on the account and the account flagged (<c>payment_flagged</c>). The default.</summary>
    FlagAccount = 0,

    /// <summary>The balance goes negative by what was spent; later earnings pay it back.</summary>
    AllowNegativeBalance = 1,
}

/// <summary>Settings of the payments service. Bound from <c>MetaServer:Payments</c>, validated at start.</summary>
public sealed class PaymentsOptions
{
    public const string SectionName = "MetaServer:Payments";

    /// <summary>Refund handling.</summary>
    public ClawbackOptions Clawback { get; set; } = new();

    /// <summary>The Google Play voided-purchases poller (runs when an <c>IVoidedPurchasesSource</c> is registered).</summary>
    public GoogleVoidedPurchasesOptions GoogleVoidedPurchases { get; set; } = new();

    /// <summary>The App Store Server Notifications v2 endpoint of the payments host.</summary>
    public AppStoreNotificationOptions AppStoreNotifications { get; set; } = new();

    /// <summary>Longest receipt (JWS or purchase token) accepted, in characters; longer ones are MALFORMED.</summary>
    [Range(256, 1_048_576)]
    public int MaxReceiptLength { get; set; } = 65_536;

    /// <summary>Attempts kept per ledger entry (oldest dropped first).</summary>
    [Range(1, 1000)]
    public int MaxAttemptsPerPurchase { get; set; } = 50;

    /// <summary>Attempts kept per account in its attempt log (oldest dropped first).</summary>
    [Range(1, 1000)]
    public int MaxAttemptsPerAccount { get; set; } = 100;

    /// <summary>Conditional-write attempts on one ledger item before the message is left for redelivery.</summary>
    [Range(1, 100)]
    public int MaxUpdateAttempts { get; set; } = 10;

    /// <summary>Most units of one purchase granted (App Store quantity); more is refused as MALFORMED.</summary>
    [Range(1, 1000)]
    public int MaxQuantity { get; set; } = 10;
}

public sealed class ClawbackOptions
{
    /// <summary><c>FlagAccount</c> (default) or <c>AllowNegativeBalance</c>; see docs/payments.md.</summary>
    [EnumDataType(typeof(ClawbackPolicyOption))]
    public ClawbackPolicyOption Policy { get; set; } = ClawbackPolicyOption.FlagAccount;
}

public sealed class GoogleVoidedPurchasesOptions
{
    /// <summary>Time between two polls of the Voided Purchases API.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How far back the first poll (no checkpoint yet) looks. Google keeps voided purchases for 30 days.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Each poll starts this much before the last poll started, so a purchase voided during a poll is not missed (duplicates are no-ops).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most pages read in one poll (a guard against a looping page token).</summary>
    [Range(1, 10_000)]
    public int MaxPagesPerPoll { get; set; } = 100;
}

public sealed class AppStoreNotificationOptions
{
    /// <summary>Path the App Store posts notifications to (configure the same URL in App Store Connect).</summary>
    [Required]
    [RegularExpression("^/[A-Za-z0-9/_.-]*$", ErrorMessage = "MetaServer:Payments:AppStoreNotifications:Path must be an absolute URL path such as /payments/app-store/notifications.")]
    public string Path { get; set; } = "/payments/app-store/notifications";

    /// <summary>Largest request body accepted, in bytes.</summary>
    [Range(1024, 4_194_304)]
    public int MaxBodyBytes { get; set; } = 262_144;
}
