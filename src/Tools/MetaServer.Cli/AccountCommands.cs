using System.CommandLine;
using MetaServer.Client;
using MetaServer.Protocol.V1;

namespace MetaServer.Cli;

/// <summary>
/// Account changes on the saved session of a server: <c>nickname</c>, <c>purchase</c>, <c>claim-quest</c>,
/// <c>redeem</c> (a real-money purchase) and <c>claim-daily</c>. Each sends one client request id (generated, or <c>--request-id</c> to retry a request safely:
/// the server applies an id once and answers a retry with the first result), then prints what was granted and the account.
/// </summary>
internal static class AccountCommands
{
    public static IEnumerable<Command> Build(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var requestIdOption = new Option<string?>("--request-id")
        {
            Description = "Client request id (1-64 of A-Z a-z 0-9 . _ -). Repeat an earlier id to retry that request; default: a new id.",
        };

        Command Make(string name, string description, Argument<string>? argument, Func<MetaServerClient, string?, string?, CancellationToken, Task<AccountResponse>> send)
        {
            var command = new Command(name, description) { urlOption, tokenFileOption, requestIdOption };
            if (argument is not null)
            {
                command.Arguments.Add(argument);
            }

            command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            {
                var url = parse.GetValue(urlOption)!;
                var tokens = new TokenStore(parse.GetValue(tokenFileOption)!);
                var value = argument is null ? null : parse.GetValue(argument);
                var requestId = parse.GetValue(requestIdOption) ?? MetaServerClient.NewClientRequestId();
                return CliApp.WithSavedSessionAsync(url, tokens, error, ct, async client =>
                {
                    var response = await send(client, value, requestId, ct);
                    output.WriteLine($"{name}: OK (request id {requestId}).");
                    PrintGrant(output, response.Granted);
                    AccountPrinter.Print(output, response.Account);
                    return CliApp.ExitOk;
                });
            }));
            return command;
        }

        yield return Make(
            "nickname",
            "Set the account's nickname (rules come from the game config).",
            new Argument<string>("name") { Description = "The new nickname." },
            (client, name, id, ct) => client.SetNicknameAsync(name!, id, ct));
        yield return Make(
            "purchase",
            "Buy a store offer of the game config with the account's currency.",
            new Argument<string>("offer-id") { Description = "Store offer id, e.g. offer.xp-booster-1." },
            (client, offer, id, ct) => client.PurchaseAsync(offer!, id, ct));
        yield return Make(
            "claim-quest",
            "Claim the reward of a completed quest.",
            new Argument<string>("quest-id") { Description = "Quest id of the game config." },
            (client, quest, id, ct) => client.ClaimQuestAsync(quest!, id, ct));
        yield return Redeem(urlOption, tokenFileOption, output, error);
        yield return Make(
            "claim-daily",
            "Claim today's daily login reward.",
            null,
            (client, _, id, ct) => client.ClaimDailyRewardAsync(id, ct));
    }

    /// <summary><c>redeem --store apple|google --receipt … [--product …]</c>: redeems a real-money purchase.</summary>
    private static Command Redeem(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var storeOption = new Option<string>("--store")
        {
            Description = "The store the purchase was made in: apple (App Store) or google (Google Play).",
            Required = true,
        };
        storeOption.AcceptOnlyFromAmong("apple", "google");
        var receiptOption = new Option<string>("--receipt")
        {
            Description = "App Store: the StoreKit 2 signed transaction (JWS). Google Play: the purchase token.",
            Required = true,
        };
        var productOption = new Option<string?>("--product") { Description = "Google Play: the product id the token was bought as (required for google)." };
        var command = new Command("redeem", "Redeem a real-money purchase (App Store or Google Play); granted once per purchase.")
        {
            urlOption, tokenFileOption, storeOption, receiptOption, productOption,
        };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
        {
            var url = parse.GetValue(urlOption)!;
            var tokens = new TokenStore(parse.GetValue(tokenFileOption)!);
            var store = parse.GetValue(storeOption) == "google" ? PurchaseStore.GooglePlay : PurchaseStore.AppStore;
            var receipt = parse.GetValue(receiptOption)!;
            var product = parse.GetValue(productOption);
            return CliApp.WithSavedSessionAsync(url, tokens, error, ct, async client =>
            {
                var response = await client.RedeemPurchaseAsync(store, receipt, product, ct);
                var verdict = response.Verdict == PurchaseVerdict.AlreadyRedeemed ? "already redeemed by this account" : "granted";
                output.WriteLine($"redeem: OK, {verdict} (offer {response.OfferId}{(response.TransactionId.Length > 0 ? ", transaction " + response.TransactionId : string.Empty)}).");
                PrintGrant(output, response.Granted);
                AccountPrinter.Print(output, response.Account);
                return CliApp.ExitOk;
            });
        }));
        return command;
    }

    private static void PrintGrant(TextWriter output, Grant? grant)
    {
        if (grant is null || (grant.Currencies.Count == 0 && grant.Items.Count == 0 && grant.Xp == 0))
        {
            return;
        }

        var parts = grant.Currencies.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} {p.Key}")
            .Concat(grant.Items.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Value} x {p.Key}"))
            .Concat(grant.Xp > 0 ? [$"{grant.Xp} XP"] : []);
        output.WriteLine($"Granted: {string.Join(", ", parts)}");
    }
}
