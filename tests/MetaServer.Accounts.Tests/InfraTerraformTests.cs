using System.Diagnostics;
using System.Text.Json;
using MetaServer.Accounts.DynamoDb;
using MetaServer.Messaging;
using MetaServer.Testing;

namespace MetaServer.Accounts.Tests;

/// <summary>
/// infra/*.tf against the code: the accounts table's keys must be the ones <see cref="AccountsTableDefinition"/>
/// creates, and the request queues must be the ones <see cref="QueueNames"/> names for the accounts handlers.
/// The .tf files are parsed with the pinned npm <c>@cdktf/hcl2json</c> (tools/standins/hcl2json.mjs).
/// </summary>
public sealed class InfraTerraformTests
{
    private static readonly Lazy<Task<JsonElement>> Parsed = new(ParseInfraAsync);

    [Fact]
    public async Task AccountsTable_KeySchema_MatchesCodeDefinition()
    {
        var table = await SingleBlockAsync("resource", "aws_dynamodb_table", "accounts");
        var request = AccountsTableDefinition.CreateTableRequest("any-table");
        var types = request.AttributeDefinitions.ToDictionary(a => a.AttributeName, a => a.AttributeType.Value, StringComparer.Ordinal);

        Assert.Equal(request.KeySchema.Single(k => k.KeyType.Value == "HASH").AttributeName, table.GetProperty("hash_key").GetString());
        Assert.Equal(request.KeySchema.Single(k => k.KeyType.Value == "RANGE").AttributeName, table.GetProperty("range_key").GetString());
        var declared = table.GetProperty("attribute").EnumerateArray()
            .Select(a => (a.GetProperty("name").GetString(), a.GetProperty("type").GetString()))
            .Order()
            .ToArray();
        Assert.Equal(types.Select(t => ((string?)t.Key, (string?)t.Value)).Order().ToArray(), declared);
        Assert.Equal(request.BillingMode.Value, table.GetProperty("billing_mode").GetString());
    }

    [Fact]
    public async Task AccountsTable_Production_HasPointInTimeRecoveryAndNoTtlOrIndexes()
    {
        var table = await SingleBlockAsync("resource", "aws_dynamodb_table", "accounts");

        Assert.True(table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetBoolean());
        Assert.False(table.TryGetProperty("ttl", out _), "the store writes no TTL attribute");
        Assert.False(table.TryGetProperty("global_secondary_index", out _), "the store uses no index");
        Assert.False(table.TryGetProperty("local_secondary_index", out _), "the store uses no index");
    }

    [Fact]
    public async Task RequestQueues_MessageTypes_AreThoseTheAccountsHandlersConsume()
    {
        using var harness = new HandlerHarness();
        var locals = await LocalsAsync();

        // The other services' request queues (matches.*, gameserver.*) are checked by MatchesInfraTerraformTests.
        var declared = locals.GetProperty("request_message_types").EnumerateArray()
            .Select(e => e.GetString())
            .Where(t => t!.StartsWith("accounts.", StringComparison.Ordinal))
            .Order()
            .ToArray();

        Assert.Equal(harness.AllHandlers.Select(h => h.MessageType).Order().ToArray(), declared);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("Blue_2-rc")]
    public async Task RequestQueues_NameTemplates_ProduceQueueNamesOfCode(string deploymentVersion)
    {
        // The .tf templates are checked word for word, then evaluated here as Terraform would.
        var locals = await LocalsAsync();
        Assert.Equal("${lower(var.deployment_version)}", locals.GetProperty("queue_prefix").GetString());
        Assert.Contains(
            "message_type => \"${local.queue_prefix}-req-${replace(message_type, \".\", \"-\")}\"",
            locals.GetProperty("request_queue_names").GetString(),
            StringComparison.Ordinal);
        var queue = await SingleBlockAsync("resource", "aws_sqs_queue", "request");
        var dlq = await SingleBlockAsync("resource", "aws_sqs_queue", "request_dlq");
        Assert.Equal("${local.request_queue_names}", queue.GetProperty("for_each").GetString());
        Assert.Equal("${each.value}", queue.GetProperty("name").GetString());
        Assert.Equal("${local.request_queue_names}", dlq.GetProperty("for_each").GetString());
        Assert.Equal("${each.value}-dlq", dlq.GetProperty("name").GetString());
        Assert.Contains("aws_sqs_queue.request_dlq[each.key].arn", queue.GetProperty("redrive_policy").GetString(), StringComparison.Ordinal);

        var names = new QueueNames(deploymentVersion);
        foreach (var messageType in locals.GetProperty("request_message_types").EnumerateArray().Select(e => e.GetString()!))
        {
            var terraformName = $"{deploymentVersion.ToLowerInvariant()}-req-{messageType.Replace(".", "-", StringComparison.Ordinal)}";
            Assert.Equal(names.ForMessageType(messageType), terraformName);
            Assert.Equal(QueueNames.DeadLetterOf(names.ForMessageType(messageType)), terraformName + "-dlq");
        }
    }

    private static async Task<JsonElement> LocalsAsync()
    {
        var all = await Parsed.Value;
        var blocks = all.EnumerateObject()
            .Where(f => f.Value.TryGetProperty("locals", out _))
            .SelectMany(f => f.Value.GetProperty("locals").EnumerateArray())
            .Where(l => l.TryGetProperty("request_message_types", out _))
            .ToArray();
        return Assert.Single(blocks);
    }

    /// <summary>The one block <c>kind "type" "name"</c> across all infra files.</summary>
    private static async Task<JsonElement> SingleBlockAsync(string kind, string type, string name)
    {
        var all = await Parsed.Value;
        var blocks = all.EnumerateObject()
            .Select(f => f.Value)
            .Where(f => f.TryGetProperty(kind, out var k) && k.TryGetProperty(type, out var t) && t.TryGetProperty(name, out _))
            .SelectMany(f => f.GetProperty(kind).GetProperty(type).GetProperty(name).EnumerateArray())
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
