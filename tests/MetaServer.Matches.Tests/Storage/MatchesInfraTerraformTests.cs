using MetaServer.DynamoDb;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using MetaServer.GameServer.Sdk;
using MetaServer.Matches.DynamoDb;
using MetaServer.Matchmaking.Events;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Testing;
using Microsoft.Extensions.Options;

namespace MetaServer.Matches.Tests.Storage;

/// <summary>
/// infra/*.tf against the code: the matches table's key must be the one <see cref="ItemTableDefinition"/> creates,
/// and its TTL attribute the one the store writes; the matches and game-server request queues must be the ones
/// <see cref="QueueNames"/> names for every such message type; the placement queue's redrive the SDK's; the FlexMatch
/// events queue one the matches service reads as external; the matches-service and game-server policies must exist.
/// Parsed with the pinned npm <c>@cdktf/hcl2json</c> (tools/standins).
/// </summary>
public sealed class MatchesInfraTerraformTests
{
    private static readonly Lazy<Task<JsonElement>> Parsed = new(ParseInfraAsync);

    [Fact]
    public async Task MatchesTable_KeySchema_MatchesCodeDefinition()
    {
        var table = await SingleBlockAsync("resource", "aws_dynamodb_table", "matches");
        var request = ItemTableDefinition.CreateTableRequest("any-table");

        Assert.Equal(request.KeySchema.Single(k => k.KeyType.Value == "HASH").AttributeName, table.GetProperty("hash_key").GetString());
        Assert.False(table.TryGetProperty("range_key", out _), "the matches table has no sort key");
        var declared = table.GetProperty("attribute").EnumerateArray()
            .Select(a => (a.GetProperty("name").GetString(), a.GetProperty("type").GetString()))
            .ToArray();
        Assert.Equal(request.AttributeDefinitions.Select(a => ((string?)a.AttributeName, (string?)a.AttributeType.Value)).ToArray(), declared);
        Assert.Equal(request.BillingMode.Value, table.GetProperty("billing_mode").GetString());
    }

    [Fact]
    public async Task MatchesTable_Production_HasTtlOnExpiresAtAndPointInTimeRecovery()
    {
        var table = await SingleBlockAsync("resource", "aws_dynamodb_table", "matches");

        var ttl = Assert.Single(table.GetProperty("ttl").EnumerateArray());
        Assert.Equal(ItemTableDefinition.ExpiresAtAttribute, ttl.GetProperty("attribute_name").GetString());
        Assert.True(ttl.GetProperty("enabled").GetBoolean());
        Assert.True(table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetBoolean());
        Assert.False(table.TryGetProperty("global_secondary_index", out _), "the store uses no index");
    }

    [Fact]
    public async Task RequestQueues_MatchesAndGameServerTypes_AreEveryRequestTypeOfCode()
    {
        // Every matches.* / gameserver.* message type has a request queue, except the events queue (matchmaking.tf,
        // raw FlexMatch events) and the per-match message (its queue is created per match at run time).
        var expected = typeof(MessageTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(t => t.StartsWith("matches.", StringComparison.Ordinal) || t.StartsWith("gameserver.", StringComparison.Ordinal))
            .Where(t => t is not MessageTypes.MatchesMatchmakingEvent and not MessageTypes.GameServerMatch)
            .Order(StringComparer.Ordinal)
            .ToArray();

        var declared = (await DeclaredRequestTypesAsync())
            .Where(t => t.StartsWith("matches.", StringComparison.Ordinal) || t.StartsWith("gameserver.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(expected, declared);
        Assert.Contains(MessageTypes.GameServerPlacement, declared);
        Assert.Contains(MessageTypes.MatchesGameServerReport, declared);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("Blue_2-rc")]
    public async Task RequestQueues_MatchesNameTemplates_ProduceQueueNamesOfCode(string deploymentVersion)
    {
        var locals = await LocalsAsync("request_message_types");
        Assert.Equal("${lower(var.deployment_version)}", locals.GetProperty("queue_prefix").GetString());
        Assert.Contains(
            "message_type => \"${local.queue_prefix}-req-${replace(message_type, \".\", \"-\")}\"",
            locals.GetProperty("request_queue_names").GetString(),
            StringComparison.Ordinal);
        var queue = await SingleBlockAsync("resource", "aws_sqs_queue", "request");
        var dlq = await SingleBlockAsync("resource", "aws_sqs_queue", "request_dlq");
        Assert.Equal("${each.value}", queue.GetProperty("name").GetString());
        Assert.Equal("${each.value}-dlq", dlq.GetProperty("name").GetString());

        var names = new QueueNames(deploymentVersion);
        foreach (var messageType in (await DeclaredRequestTypesAsync()).Where(t => !t.StartsWith("accounts.", StringComparison.Ordinal)))
        {
            var terraformName = $"{deploymentVersion.ToLowerInvariant()}-req-{messageType.Replace(".", "-", StringComparison.Ordinal)}";
            Assert.Equal(names.ForMessageType(messageType), terraformName);
            Assert.Equal(QueueNames.DeadLetterOf(names.ForMessageType(messageType)), terraformName + "-dlq");
        }
    }

    [Fact]
    public async Task PlacementQueue_Redrive_IsTheSdkMaxReceiveCount()
    {
        var locals = await LocalsAsync("request_message_types");
        var queue = await SingleBlockAsync("resource", "aws_sqs_queue", "request");

        var overrides = locals.GetProperty("request_max_receive_counts");
        Assert.Equal(GameServerClient.PlacementMaxReceiveCount, overrides.GetProperty(MessageTypes.GameServerPlacement).GetInt32());
        Assert.Contains(
            "maxReceiveCount     = lookup(local.request_max_receive_counts, each.key, var.queue_max_receive_count)",
            queue.GetProperty("redrive_policy").GetString(),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("Blue_2-rc")]
    public async Task MatchQueues_NamePattern_CoversQueueNamesForMatch(string deploymentVersion)
    {
        var locals = await LocalsAsync("request_message_types");
        Assert.Equal("${local.queue_prefix}-match-*", locals.GetProperty("match_queue_name_pattern").GetString());

        var names = new QueueNames(deploymentVersion);
        var terraformPrefix = $"{deploymentVersion.ToLowerInvariant()}-match-";
        Assert.Equal(names.MatchQueuePrefix, terraformPrefix);
        Assert.StartsWith(terraformPrefix, names.ForMatch("0b5c7e1a-match"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("Blue_2-rc")]
    public async Task MatchmakingEventsQueue_Name_IsAnExternalQueueOfTheService(string deploymentVersion)
    {
        var locals = await LocalsAsync("matchmaking_events_queue_name");
        Assert.Equal("${local.queue_prefix}-matchmaking-events", locals.GetProperty("matchmaking_events_queue_name").GetString());
        var queue = await SingleBlockAsync("resource", "aws_sqs_queue", "matchmaking_events");
        var dlq = await SingleBlockAsync("resource", "aws_sqs_queue", "matchmaking_events_dlq");
        Assert.Equal("${local.matchmaking_events_queue_name}", queue.GetProperty("name").GetString());
        Assert.Equal("${local.matchmaking_events_queue_name}-dlq", dlq.GetProperty("name").GetString());
        Assert.Contains("aws_sqs_queue.matchmaking_events_dlq.arn", queue.GetProperty("redrive_policy").GetString(), StringComparison.Ordinal);
        var output = await SingleBlockAsync("output", "matchmaking_events_queue_name");
        Assert.Equal("${aws_sqs_queue.matchmaking_events.name}", output.GetProperty("value").GetString());

        // Evaluated as Terraform would, the name is one the service accepts as MetaServer:Matchmaking:EventsQueueName.
        var name = $"{deploymentVersion.ToLowerInvariant()}-matchmaking-events";
        QueueNames.Validate(name);
        QueueNames.Validate(QueueNames.DeadLetterOf(name));
        var eventsQueue = new MatchmakingEventsQueue(Options.Create(new MatchmakingEventsOptions { EventsQueueName = name }), new QueueNames(deploymentVersion));
        Assert.True(eventsQueue.IsExternal);
        Assert.Equal(name, eventsQueue.Name);
    }

    [Fact]
    public async Task MatchmakingEvents_TopicAndSubscription_GameLiftPublishesAndQueueAcceptsTopic()
    {
        var subscription = await SingleBlockAsync("resource", "aws_sns_topic_subscription", "matchmaking_events");
        Assert.Equal("sqs", subscription.GetProperty("protocol").GetString());
        Assert.Equal("${aws_sns_topic.matchmaking_events.arn}", subscription.GetProperty("topic_arn").GetString());
        Assert.Equal("${aws_sqs_queue.matchmaking_events.arn}", subscription.GetProperty("endpoint").GetString());

        var topicPolicy = await SingleBlockAsync("data", "aws_iam_policy_document", "matchmaking_events_topic");
        var publish = Assert.Single(topicPolicy.GetProperty("statement").EnumerateArray());
        Assert.Equal(["sns:Publish"], Strings(publish.GetProperty("actions")));
        Assert.Equal(["gamelift.amazonaws.com"], Strings(publish.GetProperty("principals")[0].GetProperty("identifiers")));
        Assert.Equal("${data.aws_iam_policy_document.matchmaking_events_topic.json}", (await SingleBlockAsync("resource", "aws_sns_topic_policy", "matchmaking_events")).GetProperty("policy").GetString());

        var queuePolicy = await SingleBlockAsync("data", "aws_iam_policy_document", "matchmaking_events_queue");
        var send = Assert.Single(queuePolicy.GetProperty("statement").EnumerateArray());
        Assert.Equal(["sqs:SendMessage"], Strings(send.GetProperty("actions")));
        Assert.Equal(["${aws_sns_topic.matchmaking_events.arn}"], Strings(send.GetProperty("condition")[0].GetProperty("values")));
        Assert.Equal("${aws_sqs_queue.matchmaking_events.id}", (await SingleBlockAsync("resource", "aws_sqs_queue_policy", "matchmaking_events")).GetProperty("queue_url").GetString());
        Assert.Equal("${aws_sns_topic.matchmaking_events.arn}", (await SingleBlockAsync("output", "matchmaking_events_topic_arn")).GetProperty("value").GetString());
    }

    [Fact]
    public async Task Policies_MatchesServiceAndGameServer_GrantTheirQueuesTableAndFlexMatch()
    {
        var matches = await StatementsAsync("matches_service");
        Assert.Contains("sqs:ReceiveMessage", matches["ConsumeMatchesRequests"].Actions);
        Assert.Equal(
            ["${concat(local.matches_request_queue_arns, [aws_sqs_queue.matchmaking_events.arn])}"],
            matches["ConsumeMatchesRequests"].Resources);
        Assert.Contains(
            "if startswith(message_type, \"matches.\")",
            (await LocalsAsync("matches_request_queue_arns")).GetProperty("matches_request_queue_arns").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(["${local.reply_queue_arn}"], matches["SendReplies"].Resources);
        Assert.Equal(
            ["${aws_sqs_queue.request[\"accounts.apply-match-result\"].arn}", "${aws_sqs_queue.request[\"gameserver.placement\"].arn}"],
            matches["SendMatchResultsAndPlacements"].Resources);
        Assert.Equal(["${local.match_queue_arn}"], matches["OwnMatchQueues"].Resources);
        Assert.Subset(matches["OwnMatchQueues"].Actions.ToHashSet(), new HashSet<string> { "sqs:CreateQueue", "sqs:SendMessage", "sqs:DeleteQueue", "sqs:GetQueueUrl" });
        Assert.Equal(["${aws_dynamodb_table.matches.arn}"], matches["MatchesTableItems"].Resources);
        Assert.DoesNotContain(matches["ReadAccounts"].Actions, a => a is "dynamodb:PutItem" or "dynamodb:UpdateItem" or "dynamodb:DeleteItem");
        Assert.Equal(["${aws_dynamodb_table.accounts.arn}"], matches["ReadAccounts"].Resources);
        Assert.Equal(
            ["gamelift:AcceptMatch", "gamelift:DescribeMatchmaking", "gamelift:StartMatchmaking", "gamelift:StopMatchmaking"],
            matches["FlexMatchTickets"].Actions.Order(StringComparer.Ordinal).ToArray());

        var gameServer = await StatementsAsync("game_server");
        Assert.Equal(["${aws_sqs_queue.request[\"gameserver.placement\"].arn}"], gameServer["TakePlacements"].Resources);
        Assert.Contains("sqs:ChangeMessageVisibility", gameServer["TakePlacements"].Actions);
        Assert.Equal(["${local.match_queue_arn}"], gameServer["TakeMatchQueues"].Resources);
        Assert.Contains("sqs:DeleteQueue", gameServer["TakeMatchQueues"].Actions);
        Assert.DoesNotContain("sqs:CreateQueue", gameServer.Values.SelectMany(s => s.Actions));
        Assert.Equal(["${aws_sqs_queue.request[\"matches.game-server-report\"].arn}"], gameServer["SendReports"].Resources);

        Assert.Equal("${data.aws_iam_policy_document.matches_service.json}", (await SingleBlockAsync("resource", "aws_iam_policy", "matches_service")).GetProperty("policy").GetString());
        Assert.Equal("${data.aws_iam_policy_document.game_server.json}", (await SingleBlockAsync("resource", "aws_iam_policy", "game_server")).GetProperty("policy").GetString());
    }

    [Fact]
    public async Task FrontendPolicy_SendRequests_CoversClientMatchesTypesButNoServiceOnlyType()
    {
        var iamLocals = await LocalsAsync("service_only_message_types");
        var serviceOnly = Strings(iamLocals.GetProperty("service_only_message_types"));
        Assert.Contains(
            "if !contains(local.service_only_message_types, message_type)",
            iamLocals.GetProperty("frontend_request_queue_arns").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(["${local.frontend_request_queue_arns}"], (await StatementsAsync("frontend"))["SendRequests"].Resources);

        var declared = await DeclaredRequestTypesAsync();
        Assert.All(serviceOnly, t => Assert.Contains(t, declared));
        string[] serviceOnlyOfCode = [MessageTypes.AccountsApplyMatchResult, MessageTypes.MatchesStartPartyMatchmaking, MessageTypes.MatchesGameServerReport, MessageTypes.GameServerPlacement];
        // Other services' service-only types (payments.*, accounts.grant-/revoke-purchase, friends.*) are checked by their own infra tests.
        Assert.Equal(
            serviceOnlyOfCode.Order(StringComparer.Ordinal),
            serviceOnly.Where(t => (t.StartsWith("accounts.", StringComparison.Ordinal) || t.StartsWith("matches.", StringComparison.Ordinal) || t.StartsWith("gameserver.", StringComparison.Ordinal))
                && t is not (MessageTypes.AccountsGrantPurchase or MessageTypes.AccountsRevokePurchase)).Order(StringComparer.Ordinal));
        string[] frontendSends =
        [
            MessageTypes.MatchesStartMatchmaking, MessageTypes.MatchesCancelMatchmaking, MessageTypes.MatchesAcceptMatch,
            MessageTypes.MatchesGetMatchmakingStatus, MessageTypes.MatchesGetLeaderboard, MessageTypes.MatchesPlayerDisconnected,
        ];
        Assert.All(frontendSends, t => Assert.Contains(t, declared.Except(serviceOnly)));
    }

    private sealed record Statement(string[] Actions, string[] Resources);

    private static async Task<Dictionary<string, Statement>> StatementsAsync(string policyDocument)
    {
        var document = await SingleBlockAsync("data", "aws_iam_policy_document", policyDocument);
        return document.GetProperty("statement").EnumerateArray().ToDictionary(
            s => s.GetProperty("sid").GetString()!,
            s => new Statement(
                Strings(s.GetProperty("actions")),
                s.GetProperty("resources").ValueKind == JsonValueKind.Array ? Strings(s.GetProperty("resources")) : [s.GetProperty("resources").GetString()!]),
            StringComparer.Ordinal);
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<string[]> DeclaredRequestTypesAsync() =>
        Strings((await LocalsAsync("request_message_types")).GetProperty("request_message_types"));

    /// <summary>The one <c>locals</c> block across all infra files that defines <paramref name="name"/>.</summary>
    private static async Task<JsonElement> LocalsAsync(string name)
    {
        var all = await Parsed.Value;
        var blocks = all.EnumerateObject()
            .Where(f => f.Value.TryGetProperty("locals", out _))
            .SelectMany(f => f.Value.GetProperty("locals").EnumerateArray())
            .Where(l => l.TryGetProperty(name, out _))
            .ToArray();
        return Assert.Single(blocks);
    }

    /// <summary>The one block <c>kind "type" "name"</c> (or <c>kind "name"</c>) across all infra files.</summary>
    private static async Task<JsonElement> SingleBlockAsync(string kind, string type, string? name = null)
    {
        var all = await Parsed.Value;
        var blocks = all.EnumerateObject()
            .Select(f => f.Value)
            .Where(f => f.TryGetProperty(kind, out var k) && k.TryGetProperty(type, out var t) && (name is null || t.TryGetProperty(name, out _)))
            .SelectMany(f => name is null ? f.GetProperty(kind).GetProperty(type).EnumerateArray() : f.GetProperty(kind).GetProperty(type).GetProperty(name).EnumerateArray())
            .ToArray();
        return Assert.Single(blocks);
    }

    private static async Task<JsonElement> ParseInfraAsync()
    {
        var infra = Path.Combine(StandIn.RepositoryRoot, "infra");
        var files = Directory.GetFiles(infra, "*.tf").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        var script = Path.Combine(StandIn.StandInsDir, "hcl2json.mjs");
        Assert.True(
            Directory.Exists(Path.Combine(StandIn.StandInsDir, "node_modules", "@cdktf", "hcl2json")),
            "npm @cdktf/hcl2json is not installed in tools/standins; run scripts/install-test-deps.sh.");
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = StandIn.StandInsDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var file in files)
        {
            info.ArgumentList.Add(file);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WithTimeout("hcl2json");
        Assert.True(process.ExitCode == 0, $"hcl2json failed ({process.ExitCode}): {await error}");
        using var document = JsonDocument.Parse(await output);
        return document.RootElement.Clone();
    }
}
