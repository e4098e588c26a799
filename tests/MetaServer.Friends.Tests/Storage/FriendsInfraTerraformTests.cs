using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using MetaServer.Friends.DynamoDb;
using MetaServer.Messaging;
using MetaServer.Protocol;
using MetaServer.Testing;

namespace MetaServer.Friends.Tests.Storage;

/// <summary>
/// infra/*.tf against the code: the friends table's key must be the one <see cref="FriendsTableDefinition"/> creates; the
/// friends request queues must be exactly the <c>friends.*</c> message types of the code (named as <see cref="QueueNames"/>
/// names them); the activity notice is service-only and the matches service may send it; the friends-service policy
/// covers its queues and table. Parsed with the pinned npm <c>@cdktf/hcl2json</c> (tools/standins).
/// </summary>
public sealed class FriendsInfraTerraformTests
{
    private static readonly Lazy<Task<JsonElement>> Parsed = new(ParseInfraAsync);

    [Fact]
    public async Task FriendsTable_KeySchema_MatchesCodeDefinition()
    {
        var table = await BlockAsync("resource", "aws_dynamodb_table", "friends");
        var request = FriendsTableDefinition.CreateTableRequest("any-table");

        Assert.Equal(request.KeySchema.Single(k => k.KeyType.Value == "HASH").AttributeName, table.GetProperty("hash_key").GetString());
        Assert.False(table.TryGetProperty("range_key", out _), "the friends table has no sort key");
        var declared = table.GetProperty("attribute").EnumerateArray().Select(a => (a.GetProperty("name").GetString(), a.GetProperty("type").GetString())).ToArray();
        Assert.Equal(request.AttributeDefinitions.Select(a => ((string?)a.AttributeName, (string?)a.AttributeType.Value)).ToArray(), declared);
        Assert.Equal(request.BillingMode.Value, table.GetProperty("billing_mode").GetString());
        Assert.True(table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task RequestQueues_FriendsTypes_AreEveryFriendsTypeOfCodeWithCodeNames()
    {
        var expected = typeof(MessageTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(t => t.StartsWith("friends.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        var declared = (await DeclaredRequestTypesAsync()).Where(t => t.StartsWith("friends.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(expected, declared);
        var names = new QueueNames("Blue_2-rc");
        Assert.All(declared, t => Assert.Equal(names.ForMessageType(t), $"blue_2-rc-req-{t.Replace(".", "-", StringComparison.Ordinal)}"));
    }

    [Fact]
    public async Task Policies_FriendsServiceAndActivityNotice_CoverQueuesAndTable()
    {
        var iamLocals = await LocalsAsync("service_only_message_types");
        Assert.Contains(MessageTypes.FriendsPlayerActivity, Strings(iamLocals.GetProperty("service_only_message_types")));
        Assert.DoesNotContain(MessageTypes.FriendsPlayerSession, Strings(iamLocals.GetProperty("service_only_message_types")));
        Assert.Contains("if startswith(message_type, \"friends.\")", iamLocals.GetProperty("friends_request_queue_arns").GetString(), StringComparison.Ordinal);

        var friends = await StatementsAsync("friends_service");
        Assert.Equal(["${local.friends_request_queue_arns}"], friends["ConsumeFriendsRequests"].Resources);
        Assert.Contains("sqs:ReceiveMessage", friends["ConsumeFriendsRequests"].Actions);
        Assert.Equal(["${local.reply_queue_arn}"], friends["SendRepliesAndEvents"].Resources);
        Assert.Equal(["${aws_dynamodb_table.friends.arn}"], friends["FriendsTableItems"].Resources);
        Assert.Contains("dynamodb:PutItem", friends["FriendsTableItems"].Actions);
        Assert.DoesNotContain(friends["ReadAccounts"].Actions, a => a is "dynamodb:PutItem" or "dynamodb:UpdateItem" or "dynamodb:DeleteItem");

        var matches = await StatementsAsync("matches_service");
        Assert.Equal(["${aws_sqs_queue.request[\"friends.player-activity\"].arn}"], matches["SendFriendActivity"].Resources);
        Assert.Equal("${data.aws_iam_policy_document.friends_service.json}", (await BlockAsync("resource", "aws_iam_policy", "friends_service")).GetProperty("policy").GetString());
    }

    private sealed record Statement(string[] Actions, string[] Resources);

    private static async Task<Dictionary<string, Statement>> StatementsAsync(string policyDocument)
    {
        var document = await BlockAsync("data", "aws_iam_policy_document", policyDocument);
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

    private static async Task<JsonElement> LocalsAsync(string name)
    {
        var all = await Parsed.Value;
        return Assert.Single(
            all.EnumerateObject()
                .Where(f => f.Value.TryGetProperty("locals", out _))
                .SelectMany(f => f.Value.GetProperty("locals").EnumerateArray()),
            l => l.TryGetProperty(name, out _));
    }

    private static async Task<JsonElement> BlockAsync(string kind, string type, string name)
    {
        var all = await Parsed.Value;
        return Assert.Single(all.EnumerateObject()
            .Select(f => f.Value)
            .Where(f => f.TryGetProperty(kind, out var k) && k.TryGetProperty(type, out var t) && t.TryGetProperty(name, out _))
            .SelectMany(f => f.GetProperty(kind).GetProperty(type).GetProperty(name).EnumerateArray()));
    }

    private static async Task<JsonElement> ParseInfraAsync()
    {
        var files = Directory.GetFiles(Path.Combine(StandIn.RepositoryRoot, "infra"), "*.tf").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
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
        info.ArgumentList.Add(Path.Combine(StandIn.StandInsDir, "hcl2json.mjs"));
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
