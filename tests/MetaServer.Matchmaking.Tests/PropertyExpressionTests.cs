using MetaServer.Matchmaking.RuleSets;

namespace MetaServer.Matchmaking.Tests;

public sealed class PropertyExpressionTests
{
    [Theory]
    [InlineData("teams[*].players.attributes[skill]")]
    [InlineData("teams[red].players.attributes[skill]")]
    [InlineData("teams[red,blue].players.attributes[skill]")]
    [InlineData("avg(teams[*].players.attributes[skill])")]
    [InlineData("avg(flatten(teams[*].players.attributes[skill]))")]
    [InlineData("min(flatten(teams[*].players.attributes[level]))")]
    [InlineData("max(teams[red].players.attributes[skill])")]
    [InlineData("sum(teams[*].players.attributes[skill])")]
    [InlineData("count(flatten(teams[*].players.attributes[skill]))")]
    [InlineData("median(flatten(teams[*].players.attributes[skill]))")]
    [InlineData("stddev(flatten(teams[*].players.attributes[skill]))")]
    [InlineData("set_intersection(flatten(teams[*].players.attributes[maps]))")]
    public void Parse_SupportedExpression_RoundTripsToCanonicalText(string text)
    {
        var expression = PropertyExpressionParser.Parse(text);

        Assert.Equal(text, expression.ToString());
    }

    [Fact]
    public void Parse_NestedFunctions_BuildsTheTree()
    {
        var expression = PropertyExpressionParser.Parse(" avg( flatten( team[red, blue].players.attributes[skill] ) ) ");

        var avg = Assert.IsType<FunctionExpression>(expression);
        Assert.Equal(ExpressionFunction.Avg, avg.Function);
        var flatten = Assert.IsType<FunctionExpression>(avg.Argument);
        Assert.Equal(ExpressionFunction.Flatten, flatten.Function);
        var path = Assert.IsType<PlayerAttributeExpression>(flatten.Argument);
        Assert.False(path.Teams.All);
        Assert.Equal(["red", "blue"], path.Teams.Names.ToArray());
        Assert.Equal("skill", path.Attribute);
        Assert.Equal(["skill"], expression.Attributes);
        Assert.Equal(["red", "blue"], expression.TeamNames);
    }

    [Fact]
    public void Parse_AllTeams_SelectsEveryTeam()
    {
        var path = Assert.IsType<PlayerAttributeExpression>(PropertyExpressionParser.Parse("teams[*].players.attributes[skill]"));

        Assert.True(path.Teams.All);
        Assert.Empty(path.TeamNames);
    }

    [Theory]
    [InlineData("mode(teams[*].players.attributes[skill])", "unsupported function 'mode'")]
    [InlineData("teams[*].players.playerId", "players.playerId is not supported")]
    [InlineData("teams[*].players", "a bare players list is not supported")]
    [InlineData("teams[*].players.attributes[ranks][ranked]", "indexing into a map attribute is not supported")]
    [InlineData("avg(teams[*].players.attributes[skill]", "expected ')' but the expression ended")]
    [InlineData("avg(teams[*].players.attributes[skill], teams[red].players.attributes[skill])", "takes one argument")]
    [InlineData("teams[*].players.attributes[skill] + 1", "unexpected '+ 1'")]
    [InlineData("skill", "'skill' at position 0 is not supported")]
    [InlineData("teams[red,].players.attributes[skill]", "team selector must be '*'")]
    [InlineData("teams[*].players.attributes[]", "takes exactly one attribute name")]
    public void TryParse_UnsupportedExpression_SaysWhatAndWhere(string text, string expected)
    {
        var ok = PropertyExpressionParser.TryParse(text, out var expression, out var error);

        Assert.False(ok);
        Assert.Null(expression);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains(text, error, StringComparison.Ordinal);
    }
}
