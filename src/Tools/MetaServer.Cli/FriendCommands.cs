using System.CommandLine;
using System.Globalization;
using MetaServer.Client;
using MetaServer.Protocol.V1;

namespace MetaServer.Cli;

/// <summary>
/// Friends on the saved session of a server: <c>friends add &lt;account-id&gt; | add --code &lt;code&gt;</c>, <c>accept</c>,
/// <c>decline</c>, <c>cancel</c>, <c>remove</c>, <c>block</c>, <c>unblock</c> (each naming the other player's account id),
/// <c>list</c> and <c>code</c>.
/// </summary>
internal static class FriendCommands
{
    private delegate Task<FriendActionResponse> FriendAction(MetaServerClient client, string accountId, string clientRequestId, CancellationToken cancellationToken);

    public static Command Build(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var friends = new Command("friends", "Friend requests, the friend list (with presence) and friend codes.");
        friends.Subcommands.Add(Add(urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(Change("accept", "Accept the pending request of a player.", (c, id, r, ct) => c.AcceptFriendRequestAsync(id, r, ct), urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(Change("decline", "Decline the pending request of a player.", (c, id, r, ct) => c.DeclineFriendRequestAsync(id, r, ct), urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(Change("cancel", "Withdraw your pending request to a player.", (c, id, r, ct) => c.CancelFriendRequestAsync(id, r, ct), urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(Change("remove", "End a friendship.", (c, id, r, ct) => c.RemoveFriendAsync(id, r, ct), urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(Change("block", "Block a player (ends any friendship or request with them).", (c, id, r, ct) => c.BlockPlayerAsync(id, r, ct), urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(Change("unblock", "Unblock a player.", (c, id, r, ct) => c.UnblockPlayerAsync(id, r, ct), urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(List(urlOption, tokenFileOption, output, error));
        friends.Subcommands.Add(Code(urlOption, tokenFileOption, output, error));
        return friends;
    }

    private static Option<string?> RequestIdOption() => new("--request-id")
    {
        Description = "Client request id. Repeat an earlier id to retry that request (applied once); default: a new id.",
    };

    private static Command Add(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var target = new Argument<string>("player") { Description = "The player's account id (or, with --code, their friend code)." };
        var byCode = new Option<bool>("--code") { Description = "The player argument is a friend code (e.g. ABCD-2345)." };
        var requestId = RequestIdOption();
        var command = new Command("add", "Send a friend request (accepts theirs when they already asked you).") { target, byCode, requestId, urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                var id = parse.GetValue(requestId) ?? MetaServerClient.NewClientRequestId();
                var player = parse.GetValue(target)!;
                var result = parse.GetValue(byCode)
                    ? await client.SendFriendRequestByCodeAsync(player, id, ct)
                    : await client.SendFriendRequestAsync(player, id, ct);
                output.WriteLine($"friends add: OK (request id {id}): {Describe(result)}");
                return CliApp.ExitOk;
            })));
        return command;
    }

    private static Command Change(string name, string description, FriendAction action, Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var target = new Argument<string>("account-id") { Description = "The other player's account id." };
        var requestId = RequestIdOption();
        var command = new Command(name, description) { target, requestId, urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                var id = parse.GetValue(requestId) ?? MetaServerClient.NewClientRequestId();
                var result = await action(client, parse.GetValue(target)!, id, ct);
                output.WriteLine($"friends {name}: OK (request id {id}): {Describe(result)}");
                return CliApp.ExitOk;
            })));
        return command;
    }

    private static Command List(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var command = new Command("list", "Print your friends with presence, pending requests and blocked players.") { urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                PrintList(output, await client.ListFriendsAsync(ct));
                return CliApp.ExitOk;
            })));
        return command;
    }

    private static Command Code(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var command = new Command("code", "Print your friend code (others add you with `friends add --code <code>`).") { urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                output.WriteLine($"friend code: {await client.GetFriendCodeAsync(ct)}");
                return CliApp.ExitOk;
            })));
        return command;
    }

    internal static string Describe(FriendActionResponse result) => result.Relation switch
    {
        FriendRelation.Friend => $"{result.AccountId} is your friend.",
        FriendRelation.Outgoing => $"request to {result.AccountId} pending.",
        FriendRelation.Incoming => $"{result.AccountId} asked you.",
        FriendRelation.Blocked => $"{result.AccountId} is blocked.",
        _ => $"no relation with {result.AccountId}.",
    };

    internal static void PrintList(TextWriter output, FriendListResponse list)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"friends ({list.Friends.Count}/{list.MaxFriends}):"));
        foreach (var friend in list.Friends)
        {
            output.WriteLine($"  {Name(friend)}  {PresenceText(friend.Presence)}");
        }

        Section(output, "incoming requests", list.Incoming);
        Section(output, "outgoing requests", list.Outgoing);
        Section(output, "blocked", list.Blocked);
        if (list.FriendCode.Length > 0)
        {
            output.WriteLine($"friend code: {list.FriendCode}");
        }
    }

    private static void Section(TextWriter output, string title, IReadOnlyCollection<FriendEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title} ({entries.Count}):"));
        foreach (var entry in entries)
        {
            output.WriteLine($"  {Name(entry)}");
        }
    }

    private static string Name(FriendEntry entry) =>
        entry.Nickname.Length > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{entry.Nickname} ({entry.AccountId}, level {entry.Level})")
            : entry.AccountId;

    private static string PresenceText(FriendPresence presence) => presence switch
    {
        FriendPresence.Online => "online",
        FriendPresence.InQueue => "in queue",
        FriendPresence.InMatch => "in match",
        _ => "offline",
    };
}
