using System.ComponentModel.DataAnnotations;

namespace MetaServer.Accounts;

/// <summary>Settings of the accounts service. Bound from <c>MetaServer:Accounts</c>.</summary>
public sealed class AccountsOptions
{
    public const string SectionName = "MetaServer:Accounts";

    /// <summary>
    /// Attempts of one optimistic-concurrency update (read, change, conditional write) before the handler gives up
    /// and throws, leaving the message to be redelivered.
    /// </summary>
    [Range(1, 100)]
    public int MaxUpdateAttempts { get; set; } = 8;

    /// <summary>Most identities (devices, custom ids, provider accounts) one account can have linked.</summary>
    [Range(1, 1000)]
    public int MaxIdentitiesPerAccount { get; set; } = 32;

    /// <summary>
    /// How many of an account's most recent applied mutations (client request ids, match ids) it remembers to answer
    /// retries and redeliveries without applying them twice. A retry arriving after this many newer mutations of the
    /// same account would apply again, so keep it well above what one player does during a client's retry window.
    /// </summary>
    [Range(1, 1000)]
    public int MutationRecordLimit { get; set; } = 64;
}
