using System.CommandLine;
using System.CommandLine.Parsing;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;
using MetaServer.Messaging;
using MetaServer.Messaging.Sqs;
using MetaServer.Protocol;
using MetaServer.Protocol.Internal.V1;
using MetaServer.Protocol.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaServer.Cli;

/// <summary>
/// <c>metaserver admin ban|unban</c>: operator commands sent straight onto a deployment's accounts request queue
/// over SQS (no player session needed). Configured like the services: <c>MetaServer:DeploymentVersion</c> and
/// <c>MetaServer:Sqs:*</c> from environment variables (<c>MetaServer__Sqs__ServiceUrl</c>, …), overridden by
/// <c>--deployment-version</c>, <c>--sqs-endpoint</c> and <c>--region</c>. Each call carries a request id (printed;
/// <c>--request-id</c> repeats one: the accounts service applies an id once) and waits for the
/// <c>AccountResult</c> on a temporary reply queue it creates and deletes.
/// </summary>
internal static partial class AdminCommands
{
    public const int ExitOk = CliApp.ExitOk;
    public const int ExitRefused = CliApp.ExitRefused;
    public const int ExitUnreachable = CliApp.ExitCannotConnect;

    /// <summary>Longest ban reason the accounts service accepts.</summary>
    public const int MaxReasonLength = 500;

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly QueueSettings ReplyQueueSettings = new()
    {
        VisibilityTimeout = TimeSpan.FromSeconds(30),
        MessageRetention = TimeSpan.FromMinutes(5),
    };

    /// <param name="configuration">Where <c>MetaServer:*</c> settings come from; the environment variables when null.</param>
    public static Command Build(TextWriter output, TextWriter error, IConfiguration? configuration = null)
    {
        var accountOption = new Option<string>("--account") { Description = "Id of the account.", Required = true };
        accountOption.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--account must not be empty.");
            }
        });
        var operatorOption = new Option<string>("--operator")
        {
            Description = "Who does this, kept on the account for audits (default: the user name of this shell).",
            DefaultValueFactory = _ => DefaultOperator(),
        };
        var requestIdOption = new Option<string?>("--request-id")
        {
            Description = "Request id; repeat the id printed by an earlier call to retry it safely (applied at most once). Default: a new id.",
        };
        requestIdOption.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } id && !RequestIdPattern().IsMatch(id))
            {
                result.AddError($"--request-id '{id}' must be 1-64 of A-Z a-z 0-9 . _ -.");
            }
        });
        var endpointOption = new Option<Uri?>("--sqs-endpoint")
        {
            Description = "SQS endpoint (a local stand-in, a VPC endpoint); default: MetaServer__Sqs__ServiceUrl, else AWS's endpoint of the region.",
            CustomParser = ParseEndpoint,
        };
        var regionOption = new Option<string?>("--region") { Description = "AWS region; default: MetaServer__Sqs__Region." };
        var versionOption = new Option<string?>("--deployment-version")
        {
            Description = "Deployment version whose accounts service gets the command; default: MetaServer__DeploymentVersion.",
        };
        var timeoutOption = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait for the accounts service's answer (default 00:00:30).",
            DefaultValueFactory = _ => DefaultTimeout,
        };
        timeoutOption.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<TimeSpan>() <= TimeSpan.Zero)
            {
                result.AddError("--timeout must be positive, e.g. 00:00:30.");
            }
        });
        Option[] common = [accountOption, operatorOption, requestIdOption, endpointOption, regionOption, versionOption, timeoutOption];

        var reasonOption = new Option<string>("--reason") { Description = "Why, shown to the player at login.", Required = true };
        reasonOption.Validators.Add(result =>
        {
            var reason = result.GetValueOrDefault<string>();
            if (string.IsNullOrWhiteSpace(reason))
            {
                result.AddError("--reason must not be empty: say why the account is banned.");
            }
            else if (reason.Trim().Length > MaxReasonLength)
            {
                result.AddError($"--reason is longer than {MaxReasonLength} characters.");
            }
        });
        var untilOption = new Option<DateTimeOffset?>("--until")
        {
            Description = "End of the ban, an ISO-8601 time such as 2026-12-31T23:59:00Z (no offset: UTC); default: until unbanned.",
            CustomParser = ParseUntil,
        };

        var ban = new Command("ban", "Ban an account: its logins and session resumes are refused until --until (or until unbanned), and its live session is closed.")
        {
            reasonOption, untilOption,
        };
        var unban = new Command("unban", "Lift the ban of an account.");
        foreach (var option in common)
        {
            ban.Options.Add(option);
            unban.Options.Add(option);
        }

        Target Target(ParseResult parse) => new(
            parse.GetValue(accountOption)!.Trim(),
            parse.GetValue(operatorOption)!,
            parse.GetValue(requestIdOption) ?? Guid.NewGuid().ToString("N"),
            parse.GetValue(timeoutOption));
        SqsSettings Settings(ParseResult parse) => new(parse.GetValue(endpointOption), parse.GetValue(regionOption), parse.GetValue(versionOption));

        ban.SetAction((parse, ct) =>
        {
            var target = Target(parse);
            var until = parse.GetValue(untilOption);
            var command = new BanAccountCommand
            {
                AccountId = target.AccountId,
                Reason = parse.GetValue(reasonOption)!.Trim(),
                ExpiresAtUnixMs = until?.ToUnixTimeMilliseconds() ?? 0,
                Operator = target.Operator,
                RequestId = target.RequestId,
            };
            return RunAsync("ban", MessageTypes.AccountsBanAccount, command, target, Settings(parse), configuration, output, error, ct);
        });
        unban.SetAction((parse, ct) =>
        {
            var target = Target(parse);
            var command = new UnbanAccountCommand { AccountId = target.AccountId, Operator = target.Operator, RequestId = target.RequestId };
            return RunAsync("unban", MessageTypes.AccountsUnbanAccount, command, target, Settings(parse), configuration, output, error, ct);
        });

        return new Command("admin", "Operator commands sent to a deployment's services over SQS (MetaServer__Sqs__*, MetaServer__DeploymentVersion).")
        {
            ban, unban,
        };
    }

    private static string DefaultOperator()
    {
        var user = Environment.UserName;
        return string.IsNullOrWhiteSpace(user) ? "metaserver-cli" : user;
    }

    private static Uri? ParseEndpoint(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"--sqs-endpoint '{text}' is not an http:// or https:// URL.");
        return null;
    }

    private static DateTimeOffset? ParseUntil(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (IsoTimePattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
        {
            return until;
        }

        result.AddError($"--until '{text}' is not an ISO-8601 time; write e.g. 2026-12-31T23:59:00Z, 2026-12-31T23:59:00+02:00 or 2026-12-31.");
        return null;
    }

    private static async Task<int> RunAsync(
        string verb,
        string messageType,
        IMessage command,
        Target target,
        SqsSettings settings,
        IConfiguration? configuration,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        configuration ??= new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var deploymentVersion = settings.DeploymentVersion ?? configuration["MetaServer:DeploymentVersion"];
        if (string.IsNullOrWhiteSpace(deploymentVersion))
        {
            error.WriteLine("error: no deployment version: pass --deployment-version or set MetaServer__DeploymentVersion.");
            return ExitRefused;
        }

        var sqsOptions = new SqsOptions();
        configuration.GetSection(SqsOptions.SectionName).Bind(sqsOptions);
        if (settings.Endpoint is { } endpoint)
        {
            sqsOptions.ServiceUrl = endpoint.ToString();
        }

        if (!string.IsNullOrWhiteSpace(settings.Region))
        {
            sqsOptions.Region = settings.Region;
        }

        if (Problems(sqsOptions) is { Count: > 0 } problems)
        {
            foreach (var problem in problems)
            {
                error.WriteLine($"error: {problem}");
            }

            error.WriteLine("Set the SQS settings with --sqs-endpoint/--region or the MetaServer__Sqs__* environment variables, as for the services.");
            return ExitRefused;
        }

        var queueNames = new QueueNames(deploymentVersion);
        var requestQueue = queueNames.ForMessageType(messageType);
        var replyQueue = queueNames.ReplyQueue("cli-" + Guid.NewGuid().ToString("N")[..12]);
        output.WriteLine($"{verb} account {target.AccountId}: request id {target.RequestId} (to retry safely: --request-id {target.RequestId}).");

        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var client = new SqsClient(http, sqsOptions, TimeProvider.System, NullLogger<SqsClient>.Instance);
        await using var transport = new SqsTransport(client, sqsOptions, TimeProvider.System, NullLogger<SqsTransport>.Instance, queueNames.ReplyQueuePrefix);
        var replyQueueCreated = false;
        try
        {
            if (!await transport.QueueExistsAsync(requestQueue, cancellationToken))
            {
                error.WriteLine(
                    $"error: queue {requestQueue} does not exist at {sqsOptions.ResolveEndpoint()}: check the deployment version ('{deploymentVersion}') "
                    + "and the SQS endpoint/region, and that the accounts service of that version has started. Nothing was sent.");
                return ExitUnreachable;
            }

            await transport.CreateQueueAsync(replyQueue, ReplyQueueSettings, cancellationToken);
            replyQueueCreated = true;
            var correlationId = Guid.NewGuid().ToString("N");
            var envelope = new MessageEnvelope
            {
                MessageType = messageType,
                MessageId = Guid.NewGuid().ToString("N"),
                CorrelationId = correlationId,
                ReplyTo = replyQueue,
                DeploymentVersion = deploymentVersion,
                TraceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString(),
                SentAt = TimeProvider.System.GetUtcNow(),
                Payload = command.ToByteArray(),
            };
            await transport.SendAsync(requestQueue, EnvelopeCodec.Encode(envelope), cancellationToken);

            var result = await WaitForReplyAsync(transport, replyQueue, correlationId, target.Timeout, cancellationToken);
            if (result is null)
            {
                error.WriteLine(
                    $"error: the accounts service did not answer within {target.Timeout.TotalSeconds:0.#} s. The command was sent and may still be applied; "
                    + $"run the same command again with --request-id {target.RequestId} to find out (it is applied at most once).");
                return ExitUnreachable;
            }

            if (result.Result.Code != ResultCode.Ok)
            {
                error.WriteLine($"error: {verb} refused: {result.Result.Code} ({(int)result.Result.Code}): {result.Result.Message}");
                return ExitRefused;
            }

            PrintOutcome(output, verb, target, command, result.Account);
            return ExitOk;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"Cancelled. If the command was already sent, repeat it with --request-id {target.RequestId}.");
            return CliApp.ExitCancelled;
        }
        catch (TransportException ex)
        {
            error.WriteLine($"error: SQS at {sqsOptions.ResolveEndpoint()} failed: {ex.Message}");
            return ExitUnreachable;
        }
        finally
        {
            if (replyQueueCreated)
            {
                await DeleteReplyQueueAsync(transport, replyQueue, error);
            }
        }
    }

    private static async Task<AccountResult?> WaitForReplyAsync(
        SqsTransport transport, string replyQueue, string correlationId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            var remaining = TimeProvider.System.GetElapsedTime(TimeProvider.System.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            var wait = TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(remaining.TotalSeconds), 1, TransportLimits.MaxWaitTime.TotalSeconds));
            var messages = await transport.ReceiveAsync(replyQueue, new ReceiveOptions { MaxMessages = 10, WaitTime = wait }, cancellationToken);
            foreach (var message in messages)
            {
                await transport.DeleteAsync(replyQueue, message.ReceiptHandle, cancellationToken);
                MessageEnvelope envelope;
                try
                {
                    envelope = EnvelopeCodec.Decode(message.Body);
                }
                catch (EnvelopeFormatException)
                {
                    continue;
                }

                if (envelope.MessageType == MessageTypes.AccountsAccountResult && envelope.CorrelationId == correlationId)
                {
                    return AccountResult.Parser.ParseFrom(envelope.Payload.Span);
                }
            }
        }
    }

    private static async Task DeleteReplyQueueAsync(SqsTransport transport, string replyQueue, TextWriter error)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await transport.DeleteQueueAsync(replyQueue, timeout.Token);
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException)
        {
            error.WriteLine($"warning: could not delete the temporary reply queue {replyQueue} ({ex.Message}); the services' reply-queue janitor removes it later.");
        }
    }

    private static void PrintOutcome(TextWriter output, string verb, Target target, IMessage command, AccountSnapshot? account)
    {
        var what = command switch
        {
            BanAccountCommand ban => $"Account {target.AccountId} is banned ({ban.Reason}) "
                + (ban.ExpiresAtUnixMs > 0
                    ? "until " + DateTimeOffset.FromUnixTimeMilliseconds(ban.ExpiresAtUnixMs).ToString("u", CultureInfo.InvariantCulture)
                    : "until unbanned"),
            _ => $"Account {target.AccountId} is not banned",
        };
        output.WriteLine($"{verb}: OK. {what}; operator {target.Operator}, request id {target.RequestId}"
            + (account is null ? "." : string.Create(CultureInfo.InvariantCulture, $", account revision {account.Revision}.")));
    }

    private static List<string> Problems(SqsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var problems = results.Select(r => r.ErrorMessage ?? "invalid SQS setting").ToList();
        var crossField = new SqsOptionsValidator().Validate(null, options);
        if (crossField.Failed)
        {
            problems.AddRange(crossField.Failures ?? []);
        }

        return problems;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex RequestIdPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex IsoTimePattern();

    private sealed record Target(string AccountId, string Operator, string RequestId, TimeSpan Timeout);

    private sealed record SqsSettings(Uri? Endpoint, string? Region, string? DeploymentVersion);
}
