using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MetaServer.Client;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Configuration;

namespace MetaServer.Cli;

/// <summary>
/// The <c>metaserver</c> command line: <c>login</c>, <c>account</c>, <c>smoke</c>, <c>validate</c>, the account commands
/// (<see cref="AccountCommands"/>) and the operator commands <c>admin ban|unban</c> (<see cref="AdminCommands"/>).
/// </summary>
internal static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitRefused = 1;
    public const int ExitCannotConnect = 2;
    public const int ExitCancelled = 130;

    public const string UrlEnvironmentVariable = "METASERVER_URL";
    public const string FallbackUrl = "ws://127.0.0.1:8080/ws";

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, adminConfiguration: null, cancellationToken);

    /// <param name="adminConfiguration">Settings of the <c>admin</c> commands (<c>MetaServer:*</c>); the environment variables when null.</param>
    internal static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IConfiguration? adminConfiguration, CancellationToken cancellationToken)
    {
        var root = BuildRootCommand(output, error, adminConfiguration);
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return root.Parse(args).InvokeAsync(configuration, cancellationToken);
    }

    public static string DefaultUrl =>
        Environment.GetEnvironmentVariable(UrlEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : FallbackUrl;

    private static RootCommand BuildRootCommand(TextWriter output, TextWriter error, IConfiguration? adminConfiguration)
    {
        var urlOption = new Option<Uri>("--url")
        {
            Description = $"WebSocket endpoint of the server (default: ${UrlEnvironmentVariable}, else {FallbackUrl}).",
            DefaultValueFactory = _ => new Uri(DefaultUrl),
            CustomParser = result => ParseUrl(result.Tokens.Count > 0 ? result.Tokens[0].Value : DefaultUrl, result),
        };
        var tokenFileOption = new Option<string>("--token-file")
        {
            Description = "Where session tokens are saved, keyed by URL (default: ~/.metaserver/session.json).",
            DefaultValueFactory = _ => TokenStore.DefaultPath,
        };
        var deviceOption = new Option<string>("--device")
        {
            Description = "Device id to log in with; the first login of a device creates an account.",
            Required = true,
        };

        var login = new Command("login", "Log in with a device id, print the account and save the session token.")
        {
            deviceOption, urlOption, tokenFileOption,
        };
        login.SetAction((parse, ct) => Guarded(error, ct, () => LoginAsync(
            parse.GetValue(urlOption)!, parse.GetValue(deviceOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), output, error, ct)));

        var account = new Command("account", "Resume the saved session of a server and print its account.")
        {
            urlOption, tokenFileOption,
        };
        account.SetAction((parse, ct) => Guarded(error, ct, () => AccountAsync(
            parse.GetValue(urlOption)!, new TokenStore(parse.GetValue(tokenFileOption)!), output, error, ct)));

        var smoke = new Command("smoke", "Check a server end to end: new device login, account, reconnect with the token, same account.")
        {
            urlOption,
        };
        smoke.SetAction((parse, ct) => Guarded(error, ct, () => SmokeAsync(parse.GetValue(urlOption)!, output, ct)));

        var root = new RootCommand("MetaServer command-line client.")
        {
            login, account, smoke, ValidateCommand.Build(output, error), AdminCommands.Build(output, error, adminConfiguration),
        };
        foreach (var command in AccountCommands.Build(urlOption, tokenFileOption, output, error))
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in MatchCommands.Build(urlOption, tokenFileOption, output, error))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(FriendCommands.Build(urlOption, tokenFileOption, output, error));

        return root;
    }

    private static Uri? ParseUrl(string value, System.CommandLine.Parsing.ArgumentResult result)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == "ws" || uri.Scheme == "wss"))
        {
            return uri;
        }

        result.AddError($"'{value}' is not a ws:// or wss:// URL.");
        return null;
    }

    private static async Task<int> LoginAsync(Uri url, string deviceId, TokenStore tokens, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(url, cancellationToken);
        var auth = await client.LoginDeviceAsync(deviceId, cancellationToken);
        output.WriteLine($"Logged in to {url} with device {deviceId}.");
        AccountPrinter.Print(output, auth.Account, auth.Created, auth.TokenExpiresAtUnixMs);
        await tokens.SaveAsync(url.AbsoluteUri, new SavedSession(auth.Token, auth.TokenExpiresAtUnixMs, auth.Account.AccountId), cancellationToken);
        output.WriteLine($"Session token saved to {tokens.Path}.");
        return ExitOk;
    }

    private static Task<int> AccountAsync(Uri url, TokenStore tokens, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        WithSavedSessionAsync(url, tokens, error, cancellationToken, async client =>
        {
            var account = await client.GetAccountAsync(cancellationToken);
            output.WriteLine($"Account on {url}:");
            AccountPrinter.Print(output, account.Account);
            return ExitOk;
        });

    /// <summary>
    /// Connects, resumes the session saved for <paramref name="url"/> (saving the refreshed token) and runs
    /// <paramref name="body"/>; with no saved or a refused token, says how to log in and exits 1.
    /// </summary>
    internal static async Task<int> WithSavedSessionAsync(Uri url, TokenStore tokens, TextWriter error, CancellationToken cancellationToken, Func<MetaServerClient, Task<int>> body)
    {
        var saved = await tokens.GetAsync(url.AbsoluteUri, cancellationToken);
        if (saved is null)
        {
            error.WriteLine($"error: no session token saved for {url} in {tokens.Path}. Run `metaserver login --device <id> --url {url}` first.");
            return ExitRefused;
        }

        await using var client = await ConnectAsync(url, cancellationToken);
        AuthResponse auth;
        try
        {
            auth = await client.ResumeAsync(saved.Token, cancellationToken);
        }
        catch (MetaServerRequestException ex) when (ex.Code == ResultCode.InvalidToken)
        {
            error.WriteLine($"error: the saved session token was refused ({Describe(ex)}). Log in again with `metaserver login --device <id> --url {url}`.");
            return ExitRefused;
        }

        if (!string.IsNullOrEmpty(auth.Token))
        {
            await tokens.SaveAsync(url.AbsoluteUri, new SavedSession(auth.Token, auth.TokenExpiresAtUnixMs, auth.Account.AccountId), cancellationToken);
        }

        return await body(client);
    }

    private static async Task<int> SmokeAsync(Uri url, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"Smoke test against {url}");
        var deviceId = "smoke-" + Guid.NewGuid().ToString("N");
        var steps = new SmokeSteps(output);
        string? accountId = null;
        string? token = null;

        await using (var first = await steps.RunAsync("connect", () => ConnectAsync(url, cancellationToken), _ => "connected"))
        {
            if (first is null)
            {
                return steps.Finish();
            }

            var auth = await steps.RunAsync("login new device", () => first.LoginDeviceAsync(deviceId, cancellationToken), a =>
                a.Created ? $"device {deviceId} -> account {a.Account.AccountId} (created)" : throw new SmokeCheckException($"device {deviceId} was new but the reply says created=false"));
            if (auth is null)
            {
                return steps.Finish();
            }

            accountId = auth.Account.AccountId;
            token = auth.Token;
            var account = await steps.RunAsync("get account", () => first.GetAccountAsync(cancellationToken), a =>
                a.Account.AccountId == accountId ? $"account {accountId}, revision {a.Account.Revision}" : throw new SmokeCheckException($"got account {a.Account.AccountId}, expected {accountId}"));
            if (account is null)
            {
                return steps.Finish();
            }
        }

        await using var second = await steps.RunAsync("reconnect", () => ConnectAsync(url, cancellationToken), _ => "connected again");
        if (second is null)
        {
            return steps.Finish();
        }

        var resumed = await steps.RunAsync("resume with token", () => second.ResumeAsync(token!, cancellationToken), a =>
            a.Account.AccountId == accountId ? $"same account {accountId}" : throw new SmokeCheckException($"token resumed account {a.Account.AccountId}, expected {accountId}"));
        if (resumed is null)
        {
            return steps.Finish();
        }

        await steps.RunAsync("get account (resumed)", () => second.GetAccountAsync(cancellationToken), a =>
            a.Account.AccountId == accountId ? $"same account {accountId}, devices {string.Join(", ", a.Account.DeviceIds)}" : throw new SmokeCheckException($"got account {a.Account.AccountId}, expected {accountId}"));
        return steps.Finish();
    }

    internal static async Task<MetaServerClient> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            return await MetaServerClient.ConnectAsync(url, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MetaServerConnectException($"Cannot connect to {url}: no answer within {ConnectTimeout.TotalSeconds:0} s.", null, ex);
        }
    }

    internal static async Task<int> Guarded(TextWriter error, CancellationToken cancellationToken, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (MetaServerRequestException ex)
        {
            error.WriteLine($"error: request refused: {Describe(ex)}");
            return ExitRefused;
        }
        catch (MetaServerConnectException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCannotConnect;
        }
        catch (MetaServerConnectionClosedException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCannotConnect;
        }
        catch (TimeoutException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCannotConnect;
        }
        catch (MetaServerProtocolException ex)
        {
            error.WriteLine($"error: unexpected answer from the server: {ex.Message}");
            return ExitCannotConnect;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("Cancelled.");
            return ExitCancelled;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitRefused;
        }
    }

    internal static string Describe(MetaServerRequestException ex) =>
        string.IsNullOrEmpty(ex.ServerMessage)
            ? $"{ex.Code} ({(int)ex.Code})"
            : $"{ex.Code} ({(int)ex.Code}): {ex.ServerMessage}";

    /// <summary>Runs smoke steps in order, printing PASS/FAIL with timings; the first failure decides the exit code.</summary>
    private sealed class SmokeSteps(TextWriter output)
    {
        private int _passed;
        private int _exitCode = ExitOk;

        public async Task<T?> RunAsync<T>(string name, Func<Task<T>> step, Func<T, string> check)
            where T : class
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var value = await step();
                var detail = check(value);
                Print("PASS", name, started, detail);
                _passed++;
                return value;
            }
            catch (Exception ex) when (ex is MetaServerRequestException or SmokeCheckException)
            {
                var detail = ex is MetaServerRequestException refused ? "refused: " + Describe(refused) : ex.Message;
                Print("FAIL", name, started, detail);
                _exitCode = ExitRefused;
                return null;
            }
            catch (Exception ex) when (ex is MetaServerConnectException or MetaServerConnectionClosedException or TimeoutException or MetaServerProtocolException)
            {
                Print("FAIL", name, started, ex.Message);
                _exitCode = ExitCannotConnect;
                return null;
            }
        }

        public int Finish()
        {
            output.WriteLine(_exitCode == ExitOk
                ? $"Result: PASS ({_passed} steps)"
                : $"Result: FAIL ({_passed} steps passed before the failure)");
            return _exitCode;
        }

        private void Print(string verdict, string name, long started, string detail)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
            output.WriteLine($"{verdict}  {name,-22} {elapsed,5} ms  {detail}");
        }
    }

    private sealed class SmokeCheckException(string message) : Exception(message);
}
