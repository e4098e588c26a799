using System.Diagnostics;
using System.Text.Json;
using MetaServer.Matches.DynamoDb;
using MetaServer.Testing;

namespace MetaServer.Matches.Tests.Storage;

/// <summary>
/// infra/*.tf against the code: the matches table's key must be the one <see cref="MatchesTableDefinition"/> creates,
/// and its TTL attribute the one the store writes. Parsed with the pinned npm <c>@cdktf/hcl2json</c> (tools/standins).
/// </summary>
public sealed class MatchesInfraTerraformTests
{
    private static readonly Lazy<Task<JsonElement>> Table = new(ParseMatchesTableAsync);

    [Fact]
    public async Task MatchesTable_KeySchema_MatchesCodeDefinition()
    {
        var table = await Table.Value;
        var request = MatchesTableDefinition.CreateTableRequest("any-table");

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
        var table = await Table.Value;

        var ttl = Assert.Single(table.GetProperty("ttl").EnumerateArray());
        Assert.Equal(MatchesTableDefinition.ExpiresAtAttribute, ttl.GetProperty("attribute_name").GetString());
        Assert.True(ttl.GetProperty("enabled").GetBoolean());
        Assert.True(table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetBoolean());
        Assert.False(table.TryGetProperty("global_secondary_index", out _), "the store uses no index");
    }

    private static async Task<JsonElement> ParseMatchesTableAsync()
    {
        var file = Path.Combine(StandIn.RepositoryRoot, "infra", "dynamodb.tf");
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
        info.ArgumentList.Add(file);

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WithTimeout("hcl2json");
        Assert.True(process.ExitCode == 0, $"hcl2json failed ({process.ExitCode}): {await error}");
        using var document = JsonDocument.Parse(await output);
        var blocks = document.RootElement.EnumerateObject()
            .Select(f => f.Value)
            .Where(f => f.TryGetProperty("resource", out var r) && r.TryGetProperty("aws_dynamodb_table", out var t) && t.TryGetProperty("matches", out _))
            .SelectMany(f => f.GetProperty("resource").GetProperty("aws_dynamodb_table").GetProperty("matches").EnumerateArray())
            .ToArray();
        return Assert.Single(blocks).Clone();
    }
}
