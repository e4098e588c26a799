using MetaServer.Accounts.Domain;
using MetaServer.Protocol.V1;

namespace MetaServer.Accounts.Economy;

/// <summary>The result of a pure account rule: the changed account with what it granted, or a refusal that changed nothing.</summary>
public abstract record MutationOutcome
{
    private MutationOutcome()
    {
    }

    public static MutationOutcome Apply(Account account, Granted granted) => new Applied(account, granted);

    public static MutationOutcome Refuse(ResultCode code, string message) =>
        code == ResultCode.Ok ? throw new ArgumentException("A refusal needs an error code.", nameof(code)) : new Refused(code, message);

    /// <summary>The request applies: <see cref="Account"/> is the account after it (id and revision unchanged).</summary>
    public sealed record Applied(Account Account, Granted Granted) : MutationOutcome;

    /// <summary>The request is refused with a client-visible code and plain message; nothing changes.</summary>
    public sealed record Refused(ResultCode Code, string Message) : MutationOutcome;
}
