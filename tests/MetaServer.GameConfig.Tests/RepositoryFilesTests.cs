using System.Text.Json;

namespace MetaServer.GameConfig.Tests;

public sealed class RepositoryFilesTests
{
    [Fact]
    public void BundledConfig_IsIdenticalToTheRepositoryFile()
    {
        Assert.Equal(File.ReadAllBytes(RepositoryFile("config/game-config.json")), GameConfigLoader.ReadBundledConfigBytes());
    }

    [Fact]
    public void BundledSchema_IsIdenticalToTheRepositoryFile()
    {
        Assert.Equal(File.ReadAllBytes(RepositoryFile("config/game-config.schema.json")), GameConfigLoader.ReadBundledSchemaBytes());
    }

    [Fact]
    public void Load_RepositoryFile_HasNoProblemsAndTheBundledHash()
    {
        var result = GameConfigLoader.Load(RepositoryFile("config/game-config.json"));

        Assert.Empty(result.Problems);
        Assert.Equal(GameConfigLoader.LoadBundled().Config!.Hash, result.Config!.Hash);
    }

    [Fact]
    public void Schema_IsDraft2020_12WithClosedObjectsAndDescribedProperties()
    {
        using var schema = JsonDocument.Parse(GameConfigLoader.ReadBundledSchemaBytes());
        var root = schema.RootElement;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());

        var objects = 0;
        var properties = 0;
        Walk(root, "#");
        Assert.True(objects >= 15, $"only {objects} object schemas");
        Assert.True(properties >= 60, $"only {properties} properties");

        void Walk(JsonElement node, string location)
        {
            if (node.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (node.TryGetProperty("properties", out var props))
            {
                objects++;
                Assert.True(
                    node.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False,
                    $"{location} does not say additionalProperties: false");
                foreach (var property in props.EnumerateObject())
                {
                    properties++;
                    Assert.True(
                        property.Value.TryGetProperty("description", out var description) && description.GetString()!.Length > 5,
                        $"{location}/properties/{property.Name} has no description");
                    Walk(property.Value, $"{location}/properties/{property.Name}");
                }
            }

            foreach (var keyword in new[] { "items", "$defs" })
            {
                if (node.TryGetProperty(keyword, out var sub))
                {
                    if (keyword == "$defs")
                    {
                        foreach (var def in sub.EnumerateObject())
                        {
                            Walk(def.Value, $"{location}/$defs/{def.Name}");
                        }
                    }
                    else
                    {
                        Walk(sub, $"{location}/items");
                    }
                }
            }
        }
    }

    [Fact]
    public void Schema_QuestStats_MatchTheStatsTheModelKnows()
    {
        using var schema = JsonDocument.Parse(GameConfigLoader.ReadBundledSchemaBytes());
        var stats = schema.RootElement.GetProperty("$defs").GetProperty("questGoal").GetProperty("properties").GetProperty("stat").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()!).ToHashSet();

        Assert.True(QuestStats.All.SetEquals(stats));
    }

    [Fact]
    public void Schema_UnsupportedKeyword_IsRejectedWhenLoaded()
    {
        var schema = """{ "type": "object", "properties": { "a": { "oneOf": [ { "type": "string" } ] } } }"""u8.ToArray();

        var exception = Assert.Throws<InvalidOperationException>(() => new GameConfigSchema(schema));

        Assert.Contains("'oneOf'", exception.Message, StringComparison.Ordinal);
    }

    internal static string RepositoryFile(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MetaServer.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.Combine(directory.FullName, relative);
    }
}
