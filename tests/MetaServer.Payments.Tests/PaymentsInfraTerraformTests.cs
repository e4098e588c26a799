using MetaServer.DynamoDb;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using MetaServer.Payments.DynamoDb;
using MetaServer.Protocol;
using MetaServer.Testing;

namespace MetaServer.Payments.Tests;

/// <summary>
/// infra/*.tf against the code: the payments table's key must be the one <see cref="ItemTableDefinition"/> creates;
/// every payments.* message type (and the accounts commands it sends) must have its request queue; the service-only
/// types must be out of the frontend's reach except <c>payments.redeem-purchase</c>; the payments-service policy must
/// grant its queues, the accounts commands and the table, and the accounts policy the answers to payments.
/// Parsed with the pinned npm <c>@cdktf/hcl2json</c> (tools/standins).
/// </summary>
public sealed class PaymentsInfraTerraformTests
{
    private static readonly Lazy<Task<JsonElement>> Parsed = new(ParseInfraAsync);

    private static readonly string[] PaymentsServiceOnly =
    [
        MessageTypes.AccountsGrantPurchase, MessageTypes.AccountsRevokePurchase, MessageTypes.PaymentsPurchaseGranted,
        MessageTypes.PaymentsCompletePurchase, MessageTypes.PaymentsStoreRefund, MessageTypes.PaymentsPurchaseRevoked,
    ];

    [Fact]
    public async Task PaymentsTable_KeySchema_MatchesCodeDefinitionWithoutTtl()
    {
        var table = await SingleBlockAsync("resource", "aws_dynamodb_table", "payments");
        var request = ItemTableDefinition.CreateTableRequest("any-table");

        Assert.Equal(request.KeySchema.Single(k => k.KeyType.Value == "HASH").AttributeName, table.GetProperty("hash_key").GetString());
        Assert.False(table.TryGetProperty("range_key", out _), "the payments table has no sort key");
        var declared = table.GetProperty("attribute").EnumerateArray()
            .Select(a => (a.GetProperty("name").GetString(), a.GetProperty("type").GetString()))
            .ToArray();
        Assert.Equal(request.AttributeDefinitions.Select(a => ((string?)a.AttributeName, (string?)a.AttributeType.Value)).ToArray(), declared);
        Assert.Equal(request.BillingMode.Value, table.GetProperty("billing_mode").GetString());
        Assert.False(table.TryGetProperty("ttl", out _), "the ledger never expires");
        Assert.True(table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetBoolean());
        Assert.Equal("${var.payments_table_deletion_protection}", table.GetProperty("deletion_protection_enabled").GetString());
    }

    [Fact]
    public async Task RequestQueues_PaymentsTypes_AreEveryPaymentsTypeOfCode()
    {
        var expected = typeof(MessageTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(t => t.StartsWith("payments.", StringComparison.Ordinal) || t is MessageTypes.AccountsGrantPurchase or MessageTypes.AccountsRevokePurchase)
            .Order(StringComparer.Ordinal)
            .ToArray();

        var declared = await DeclaredRequestTypesAsync();

        Assert.Equal(7, expected.Length);
        Assert.All(expected, t => Assert.Contains(t, declared));
    }

    [Fact]
    public async Task FrontendPolicy_SendsRedeemButNoPaymentsServiceOnlyType()
    {
        var serviceOnly = Strings((await LocalsAsync("service_only_message_types")).GetProperty("service_only_message_types"));

        Assert.All(PaymentsServiceOnly, t => Assert.Contains(t, serviceOnly));
        Assert.DoesNotContain(MessageTypes.PaymentsRedeemPurchase, serviceOnly);
    }

    [Fact]
    public async Task Policies_PaymentsAndAccounts_GrantQueuesCommandsAnswersAndTable()
    {
        var payments = await StatementsAsync("payments_service");
        Assert.Equal(["${local.payments_request_queue_arns}"], payments["ConsumePaymentsRequests"].Resources);
        Assert.Contains(
            "if startswith(message_type, \"payments.\")",
            (await LocalsAsync("payments_request_queue_arns")).GetProperty("payments_request_queue_arns").GetString(),
            StringComparison.Ordinal);
        Assert.Contains("sqs:ChangeMessageVisibility", payments["ConsumePaymentsRequests"].Actions);
        Assert.Equal(["${local.reply_queue_arn}"], payments["SendReplies"].Resources);
        Assert.Equal(
            new[] { MessageTypes.AccountsGrantPurchase, MessageTypes.AccountsRevokePurchase, MessageTypes.PaymentsCompletePurchase, MessageTypes.PaymentsStoreRefund }
                .Select(t => $"${{aws_sqs_queue.request[\"{t}\"].arn}}"),
            payments["SendPurchaseCommands"].Resources);
        Assert.Equal(["${aws_dynamodb_table.payments.arn}"], payments["PaymentsTableItems"].Resources);
        Assert.DoesNotContain(payments.Values.SelectMany(s => s.Resources), r => r.Contains("aws_dynamodb_table.accounts", StringComparison.Ordinal));

        var accounts = await StatementsAsync("accounts_service");
        Assert.Equal(
            new[] { MessageTypes.PaymentsPurchaseGranted, MessageTypes.PaymentsPurchaseRevoked }.Select(t => $"${{aws_sqs_queue.request[\"{t}\"].arn}}"),
            accounts["SendPurchaseResults"].Resources);
        Assert.Equal("${data.aws_iam_policy_document.payments_service.json}", (await SingleBlockAsync("resource", "aws_iam_policy", "payments_service")).GetProperty("policy").GetString());
        Assert.Equal("${aws_dynamodb_table.payments.name}", (await SingleBlockAsync("output", "payments_table_name")).GetProperty("value").GetString());
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
