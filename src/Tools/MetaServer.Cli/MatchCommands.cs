using System.CommandLine;
using System.Globalization;
using MetaServer.Client;
using MetaServer.Protocol.V1;

namespace MetaServer.Cli;

/// <summary>
/// Matchmaking and leaderboards on the saved session of a server: <c>queue &lt;mode&gt; [--wait] [--accept]</c>,
/// <c>queue-status</c>, <c>cancel-queue</c>, <c>accept</c> and <c>leaderboard [--view top|around|friends] [--count N]</c>.
/// </summary>
internal static class MatchCommands
{
    public static IEnumerable<Command> Build(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        yield return Queue(urlOption, tokenFileOption, output, error);
        yield return Status(urlOption, tokenFileOption, output, error);
        yield return CancelQueue(urlOption, tokenFileOption, output, error);
        yield return Accept(urlOption, tokenFileOption, output, error);
        yield return Leaderboard(urlOption, tokenFileOption, output, error);
    }

    /// <summary>Whether a ticket has ended (no more updates will come).</summary>
    public static bool IsFinal(MatchmakingState state) =>
        state is MatchmakingState.Completed or MatchmakingState.Failed or MatchmakingState.Cancelled or MatchmakingState.TimedOut;

    private static Command Queue(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var mode = new Argument<string>("mode") { Description = "Game mode id of the game config, e.g. ranked-1v1." };
        var wait = new Option<bool>("--wait")
        {
            Description = "Stay connected and print every update of the ticket until it ends (exit 0 when matched). "
                + "Without it the command returns at once; the ticket then lives on the server as long as the server keeps tickets of disconnected players.",
        };
        var accept = new Option<bool>("--accept") { Description = "With --wait: accept a proposed match as soon as the ticket requires acceptance." };
        var latency = new Option<string[]>("--latency")
        {
            Description = "Measured latency to a region, REGION=MS (repeatable), e.g. --latency us-east-1=45.",
            AllowMultipleArgumentsPerToken = false,
        };
        var requestId = new Option<string?>("--request-id")
        {
            Description = "Client request id. Repeat an earlier id to retry that request (the server answers the same ticket); default: a new id.",
        };
        var command = new Command("queue", "Queue for a game mode (solo ticket) and print the ticket.")
        {
            mode, wait, accept, latency, requestId, urlOption, tokenFileOption,
        };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
        {
            var latencies = ParseLatencies(parse.GetValue(latency) ?? [], error);
            if (latencies is null)
            {
                return Task.FromResult(CliApp.ExitRefused);
            }

            var id = parse.GetValue(requestId) ?? MetaServerClient.NewClientRequestId();
            return CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                var started = await client.StartMatchmakingAsync(parse.GetValue(mode)!, latencies, id, ct);
                output.WriteLine($"queue: OK (request id {id}).");
                PrintStatus(output, started.Status);
                if (!parse.GetValue(wait) || started.Status is null)
                {
                    return CliApp.ExitOk;
                }

                return await WaitAsync(client, started.Status, parse.GetValue(accept), output, ct);
            });
        }));
        return command;
    }

    private static async Task<int> WaitAsync(MetaServerClient client, MatchmakingStatus current, bool autoAccept, TextWriter output, CancellationToken cancellationToken)
    {
        var ticketId = current.TicketId;
        var acceptedFor = string.Empty;
        while (true)
        {
            if (IsFinal(current.State))
            {
                return current.State == MatchmakingState.Completed ? CliApp.ExitOk : CliApp.ExitRefused;
            }

            if (autoAccept && current.State == MatchmakingState.RequiresAcceptance && acceptedFor != current.AcceptanceDeadlineUnixMs.ToString(CultureInfo.InvariantCulture))
            {
                // One accept per proposed match (a new proposal has a new deadline).
                acceptedFor = current.AcceptanceDeadlineUnixMs.ToString(CultureInfo.InvariantCulture);
                var accepted = await client.AcceptMatchAsync(ticketId, accept: true, cancellationToken);
                output.WriteLine("Accepted the proposed match.");
                if (accepted.Status is { } afterAccept && afterAccept.TicketId == ticketId && afterAccept.State != current.State)
                {
                    current = afterAccept;
                    PrintStatus(output, current);
                    continue;
                }
            }

            output.WriteLine("Waiting for updates (Ctrl+C stops waiting)...");
            current = await client.WaitForMatchmakingUpdateAsync(s => s.TicketId == ticketId, cancellationToken);
            PrintStatus(output, current);
        }
    }

    private static Command Status(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var command = new Command("queue-status", "Print the player's current ticket or match.") { urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                PrintStatus(output, (await client.GetMatchmakingStatusAsync(ct)).Status);
                return CliApp.ExitOk;
            })));
        return command;
    }

    private static Command CancelQueue(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var ticket = new Option<string?>("--ticket") { Description = "Ticket id; default: the player's current ticket." };
        var command = new Command("cancel-queue", "Cancel the player's matchmaking ticket.") { ticket, urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                var ticketId = parse.GetValue(ticket) ?? await CurrentTicketAsync(client, error, ct);
                if (ticketId is null)
                {
                    return CliApp.ExitRefused;
                }

                var cancelled = await client.CancelMatchmakingAsync(ticketId, ct);
                output.WriteLine("cancel-queue: OK.");
                PrintStatus(output, cancelled.Status);
                return CliApp.ExitOk;
            })));
        return command;
    }

    private static Command Accept(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var ticket = new Option<string?>("--ticket") { Description = "Ticket id; default: the player's current ticket." };
        var reject = new Option<bool>("--reject") { Description = "Reject the proposed match instead of accepting it." };
        var command = new Command("accept", "Accept (or --reject) the proposed match of the player's ticket.") { ticket, reject, urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                var ticketId = parse.GetValue(ticket) ?? await CurrentTicketAsync(client, error, ct);
                if (ticketId is null)
                {
                    return CliApp.ExitRefused;
                }

                var accept = !parse.GetValue(reject);
                var answered = await client.AcceptMatchAsync(ticketId, accept, ct);
                output.WriteLine(accept ? "accept: OK (accepted)." : "accept: OK (rejected).");
                PrintStatus(output, answered.Status);
                return CliApp.ExitOk;
            })));
        return command;
    }

    private static Command Leaderboard(Option<Uri> urlOption, Option<string> tokenFileOption, TextWriter output, TextWriter error)
    {
        var view = new Option<string>("--view")
        {
            Description = "top: the first entries; around: the player and their neighbours; friends: the player and their friends.",
            DefaultValueFactory = _ => "top",
        };
        view.AcceptOnlyFromAmong("top", "around", "friends");
        var count = new Option<int>("--count") { Description = "How many entries (around: above and below). Default 10.", DefaultValueFactory = _ => 10 };
        count.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                result.AddError("--count must be 1-1000.");
            }
        });
        var id = new Option<string?>("--id") { Description = "Leaderboard id; default: the global rating leaderboard of the current season." };
        var command = new Command("leaderboard", "Print a leaderboard.") { view, count, id, urlOption, tokenFileOption };
        command.SetAction((parse, ct) => CliApp.Guarded(error, ct, () =>
            CliApp.WithSavedSessionAsync(parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), error, ct, async client =>
            {
                var selected = parse.GetValue(view) switch
                {
                    "around" => LeaderboardView.AroundMe,
                    "friends" => LeaderboardView.Friends,
                    _ => LeaderboardView.Top,
                };
                var board = await client.GetLeaderboardAsync(selected, parse.GetValue(count), parse.GetValue(id), ct);
                PrintLeaderboard(output, board);
                return CliApp.ExitOk;
            })));
        return command;
    }

    private static async Task<string?> CurrentTicketAsync(MetaServerClient client, TextWriter error, CancellationToken cancellationToken)
    {
        var status = (await client.GetMatchmakingStatusAsync(cancellationToken)).Status;
        if (status is null || string.IsNullOrEmpty(status.TicketId))
        {
            error.WriteLine("error: the player has no matchmaking ticket.");
            return null;
        }

        return status.TicketId;
    }

    private static Dictionary<string, int>? ParseLatencies(string[] values, TextWriter error)
    {
        var latencies = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var at = value.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || !int.TryParse(value.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                error.WriteLine($"error: --latency '{value}' is not REGION=MS (e.g. us-east-1=45).");
                return null;
            }

            latencies[value[..at]] = ms;
        }

        return latencies;
    }

    internal static void PrintStatus(TextWriter output, MatchmakingStatus? status)
    {
        if (status is null || (string.IsNullOrEmpty(status.TicketId) && status.State == MatchmakingState.Unspecified))
        {
            output.WriteLine("No matchmaking ticket.");
            return;
        }

        output.WriteLine($"Ticket {status.TicketId} ({status.GameMode}): {StateName(status.State)}");
        if (status.Players.Count > 0)
        {
            output.WriteLine("  Players: " + string.Join(", ", status.Players.Select(p =>
                (string.IsNullOrEmpty(p.Nickname) ? p.AccountId : $"{p.Nickname} ({p.AccountId})")
                + (status.State == MatchmakingState.RequiresAcceptance ? (p.Accepted ? " accepted" : " not yet accepted") : string.Empty))));
        }

        if (status.EstimatedWaitSeconds > 0)
        {
            output.WriteLine($"  Estimated wait: {status.EstimatedWaitSeconds} s");
        }

        if (status.State == MatchmakingState.RequiresAcceptance && status.AcceptanceDeadlineUnixMs > 0)
        {
            output.WriteLine($"  Accept before: {AccountPrinter.FormatTime(status.AcceptanceDeadlineUnixMs)} (metaserver accept --ticket {status.TicketId})");
        }

        if (status.Assignment is { } match)
        {
            output.WriteLine($"  Match: {match.MatchId}, map {match.Map}, team {match.Team}"
                + (string.IsNullOrEmpty(match.GameServerAddress) ? string.Empty : $", server {match.GameServerAddress}"));
        }

        if (!string.IsNullOrEmpty(status.Reason))
        {
            output.WriteLine($"  Reason: {status.Reason}");
        }
    }

    private static void PrintLeaderboard(TextWriter output, LeaderboardResponse board)
    {
        var title = string.IsNullOrEmpty(board.Leaderboard) ? "Leaderboard" : $"Leaderboard {board.Leaderboard}";
        if (!string.IsNullOrEmpty(board.Season))
        {
            title += $", season {board.Season}" + (board.SeasonEndsAtUnixMs > 0 ? $" (ends {AccountPrinter.FormatTime(board.SeasonEndsAtUnixMs)})" : string.Empty);
        }

        output.WriteLine($"{title}: {board.Total} players");
        if (board.Entries.Count == 0)
        {
            output.WriteLine("  (no entries)");
        }

        foreach (var entry in board.Entries)
        {
            var mine = board.Me is { } me && me.AccountId == entry.AccountId ? "  <- you" : string.Empty;
            output.WriteLine($"  {entry.Rank,6}  {entry.Score,10}  {Name(entry)}{mine}");
        }

        if (board.Me is { } self && board.Entries.All(e => e.AccountId != self.AccountId))
        {
            output.WriteLine($"  You: rank {self.Rank}, score {self.Score}");
        }
    }

    private static string Name(LeaderboardEntry entry) =>
        string.IsNullOrEmpty(entry.Nickname) ? entry.AccountId : $"{entry.Nickname} ({entry.AccountId})";

    private static string StateName(MatchmakingState state) => state switch
    {
        MatchmakingState.Queued => "QUEUED",
        MatchmakingState.Searching => "SEARCHING",
        MatchmakingState.RequiresAcceptance => "REQUIRES_ACCEPTANCE",
        MatchmakingState.Placing => "PLACING",
        MatchmakingState.Completed => "COMPLETED",
        MatchmakingState.Failed => "FAILED",
        MatchmakingState.Cancelled => "CANCELLED",
        MatchmakingState.TimedOut => "TIMED_OUT",
        _ => "UNKNOWN",
    };
}
